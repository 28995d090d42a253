// lib/ is layered one way, as the table of docs/architecture.md §1 says: scripts/check-imports.mjs
// reads that table, and must find lib/ clean, and find a planted upward import, a module in no
// layer, and a cycle (type-only imports and re-exports included).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

const check = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'check-imports.mjs'), ...args], { encoding: 'utf8' });

t.test("lib/ follows docs/architecture.md's layers: nothing upward, every module placed, no cycle", async (t) => {
  const result = check();
  t.equal(result.status, 0, result.stdout);
  t.match(result.stdout, /^\d+ modules in 7 layers, \d+ imports, 0 upward, 0 unplaced, 0 cycle\(s\)$/m);
});

/** A lib/ in miniature with the real table's format: 0 = low.ts, 1 = mid/, 2 = high.ts. */
function miniature(dir: string): string {
  const table = join(dir, 'layers.md');
  writeFileSync(
    table,
    [
      '| layer | modules | knows |',
      '|---|---|---|',
      '| 0 | `low.ts` (the bottom; `not-a-module` is prose) | nothing |',
      '| 1 | `mid/` | low |',
      '| 2 | `high.ts` | all |',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'src', 'mid'), { recursive: true });
  writeFileSync(join(dir, 'src', 'low.ts'), 'export type Low = 1;\n');
  writeFileSync(
    join(dir, 'src', 'mid', 'part.ts'),
    "import type { Low } from '../low.js';\nexport type Mid = Low | 2;\n",
  );
  writeFileSync(
    join(dir, 'src', 'high.ts'),
    "import type { Mid } from './mid/part.js';\nexport type High = Mid | 3;\n",
  );
  writeFileSync(join(dir, 'src', 'index.ts'), "export type { High } from './high.js';\n");
  return table;
}

t.test('a clean miniature passes; index.ts sits above every layer', async (t) => {
  const dir = tempDir(t);
  const result = check(join(dir, 'src'), '--layers', miniature(dir));
  t.equal(result.status, 0, result.stdout);
  t.match(result.stdout, /4 modules in 3 layers, 3 imports, 0 upward, 0 unplaced, 0 cycle\(s\)/);
});

/** The miniature with `planted` files (path under src/ → text) written over it, checked. */
function checkPlanted(t: Parameters<typeof tempDir>[0], planted: Record<string, string>) {
  const dir = tempDir(t);
  const table = miniature(dir);
  for (const [file, text] of Object.entries(planted)) writeFileSync(join(dir, 'src', file), text);
  return check(join(dir, 'src'), '--layers', table);
}

t.test('a planted upward import fails, a type-only one too, naming both layers', async (t) => {
  const result = checkPlanted(t, { 'low.ts': "import type { High } from './high.js';\nexport type Low = 1 | High;\n" });
  t.equal(result.status, 1);
  t.match(result.stdout, /upward: .*src\/low\.ts \(layer 0\) imports .*src\/high\.ts \(layer 2\)/);
  t.match(result.stdout, /cycle: /, 'it closes a cycle too');
});

t.test('a module in no layer fails: a new file goes into the table first', async (t) => {
  const result = checkPlanted(t, { 'stray.ts': 'export const stray = 1;\n' });
  t.equal(result.status, 1);
  t.match(result.stdout, /unplaced: .*src\/stray\.ts is in no layer of .*layers\.md/);
});

t.test('a cycle within one layer fails, re-exports included', async (t) => {
  const result = checkPlanted(t, {
    'mid/other.ts': "export { type Mid } from './part.js';\nexport type Other = 4;\n",
    'mid/part.ts': "import type { Other } from './other.js';\nexport type Mid = Other | 2;\n",
  });
  t.equal(result.status, 1);
  t.match(
    result.stdout,
    /cycle: .*mid\/other\.ts -> .*mid\/part\.ts -> .*mid\/other\.ts|cycle: .*mid\/part\.ts -> .*mid\/other\.ts -> .*mid\/part\.ts/,
  );
  t.match(result.stdout, /0 upward, 0 unplaced, 1 cycle\(s\)/);
});
