// lib/ is layered one way: no module imports (even only types from) a module that imports it
// back. scripts/check-imports.mjs finds cycles; here it must find none in lib/ and must find a
// planted one.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

const check = (dir?: string) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'check-imports.mjs'), ...(dir ? [dir] : [])], { encoding: 'utf8' });

t.test('lib/ has no import cycle', async (t) => {
  const result = check();
  t.equal(result.status, 0, result.stdout);
  t.match(result.stdout, /^\d+ modules, \d+ imports, 0 cycle\(s\)$/m);
});

t.test('the check sees a cycle, type-only imports and re-exports included', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'low.ts'), "import type { High } from './high.js';\nexport type Low = High | 1;\n");
  writeFileSync(join(dir, 'high.ts'), "export { type Low } from './low.js';\nexport type High = 2;\n");
  writeFileSync(join(dir, 'alone.ts'), "import {\n  x,\n} from './nowhere.js';\n");
  const result = check(dir);
  t.equal(result.status, 1);
  t.match(result.stdout, /cycle: .*high\.ts -> .*low\.ts -> .*high\.ts/);
  t.match(result.stdout, /3 modules, 2 imports, 1 cycle\(s\)/);
});
