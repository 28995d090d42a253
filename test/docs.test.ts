// The design is written down in the repo and ships with the package; nothing points at a
// document outside the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';

t.test('docs/architecture.md exists, is published, and the README points at it', async (t) => {
  t.ok(existsSync(join(root, 'docs', 'architecture.md')));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  t.ok(pkg.files.includes('docs/'), 'docs/ is in package.json files');
  t.match(readFileSync(join(root, 'README.md'), 'utf8'), /\(docs\/architecture\.md\)/);
});

t.test('no tracked file refers to the design brief outside the repository', async (t) => {
  const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const outside = files.filter((f) => {
    if (f === 'test/docs.test.ts' || !existsSync(join(root, f))) return false;
    const text = readFileSync(join(root, f), 'utf8');
    return /\.\.\/shared\/|ARCHITECTURE\.md/.test(text);
  });
  t.same(outside, []);
});
