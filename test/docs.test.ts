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

t.test('the README’s Detectron2 command sets what `export --format detectron2` prints', async (t) => {
  const { detectron2Config } = await import('../lib/weights/detectron2.js');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('#### Transfer to Detectron2'), readme.indexOf('### Data:'));
  t.match(section, /mveb-torch export runs\/r50 --format detectron2 --out r50-mveb\.pkl/);
  // YAML "  RESNETS:\n    STRIDE_IN_1X1: False" → the command-line form "MODEL.RESNETS.STRIDE_IN_1X1 False".
  const path: string[] = [];
  for (const line of detectron2Config('r50-mveb.pkl', 'resnet50')) {
    const m = line.match(/^( *)([A-Z_0-9]+):(?: (.*?))?(?:  #.*)?$/);
    if (!m) continue;
    path.length = m[1]!.length / 2;
    path.push(m[2]!);
    if (m[3] === undefined || m[2] === 'DEPTH') continue;
    const value = m[3].replace(/^"(.*)"$/, '$1');
    const expected = `${path.join('.')} ${value.startsWith('[') ? `"${value}"` : value}`;
    t.ok(section.includes(expected), `the command has ${expected}`);
  }
});

t.test(
  'the README names every prebuild flavour of scripts/flavours.mjs in its install table, and no other',
  async (t) => {
    const { FLAVOURS } = await import('../scripts/flavours.mjs');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| your LibTorch'), readme.indexOf('How each is proven'));
    const named = [...table.matchAll(/@mveb-torch\/linux-x64-(torch[\d.]+-\w+)/g)].map((m) => m[1]);
    t.same([...new Set(named)].sort(), FLAVOURS.map((f) => f.name).sort());
  },
);
