// The public API is deliberate: api/mveb-torch.api.txt records every export of lib/index.ts with
// its type (scripts/api-report.mjs, through the TypeScript checker), so that any change to it is
// a visible diff; and no public signature names a type the package does not export.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';

t.test('the API report is current, and every type a public signature names is exported', async (t) => {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'api-report.mjs'), '--check'], { encoding: 'utf8' });
  t.equal(result.status, 0, result.stdout + result.stderr);
  t.notMatch(result.stdout, /^unexported: /m);
});
