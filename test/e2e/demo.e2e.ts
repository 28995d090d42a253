// End to end, before a release (`npm run test:e2e`, not in CI): the README's first command,
// `train --preset demo` for its ten-minute budget (about two epochs on a fast 2-core machine), must
// beat the same backbone at initialisation by a wide kNN margin and print all three numbers; it
// runs the steps its budget chose. How close to ten minutes it ends is bench/time-budget.sh's.
// CI's shorter version is test/train/demo.test.ts.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { cli } from '../helpers/paths.js';
import { printedKnn } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

// Recorded on the 2-core machine (bench/results/2026-11-29-demo-e2e.md): pretrained 76.5 %,
// initialisation 27.6 %, raw pixels 80.2 % (k = 200, T = 0.1, 10 000 train / 2 000 test images).
const margin = 0.4;

t.test('the full demo beats its initialisation by a wide kNN margin', async (t) => {
  const run = spawnSync(
    process.execPath,
    [cli, 'train', '--preset', 'demo', '--output', tempDir(t), '--name', 'demo'],
    {
      encoding: 'utf8',
      timeout: 30 * 60_000,
    },
  );
  t.equal(run.status, 0, run.stderr);
  const { pretrained, initial, pixels } = printedKnn(run.stdout);
  t.ok(pretrained - initial >= margin, `pretrained ${pretrained} − initialisation ${initial} ≥ ${margin}`);
  t.ok(pixels > 0.75 && pixels < 0.85, `raw-pixel baseline ${pixels} as expected for Fashion-MNIST`);
  const planned = Number(/^time budget 10:00: (\d+) steps/m.exec(run.stdout)?.[1]);
  t.ok(planned > 0, `the budget's plan is printed (${planned} steps)`);
  t.match(run.stdout, new RegExp(`^done at step ${planned}; run directory `, 'm'));
});
