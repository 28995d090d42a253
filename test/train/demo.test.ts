// The demo recipe on Fashion-MNIST, shortened for CI: 40 steps must already beat the same
// backbone at initialisation (BN statistics re-estimated) by a clear kNN margin, and the CLI
// ends by printing both and raw pixels (kNN and a linear probe), and the report's path. The full
// demo is test/e2e/demo.e2e.ts.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { cli } from '../helpers/paths.js';
import { printedKnn } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

// Measured on the 2-core machine with the demo's base lr 0.5 and EMA 0.99 (k = 200, T = 0.1,
// 3 000 train / 1 000 test images): after 40 steps pretrained 73.9 %, initialisation 25.4 %, raw
// pixels 79.2 %; linear probe 81.0 %, 25.7 %, 83.5 %.
const margin = 0.2;

t.test(
  '40 steps of the demo recipe beat its initialisation by a clear kNN margin',
  { skip: withoutFashionMnist('train', 't10k') },
  async (t) => {
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'train',
        '--preset',
        'demo',
        '--max-steps',
        '40',
        // The recipe as measured (its epochs' schedule), without timing steps for a budget.
        '--time-budget',
        'none',
        '--knn-train-images',
        '3000',
        '--knn-test-images',
        '1000',
        '--output',
        tempDir(t),
        '--name',
        'demo',
      ],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    t.equal(run.status, 0, run.stderr);
    const { pretrained, initial, pixels, linear } = printedKnn(run.stdout);
    t.ok(pretrained - initial >= margin, `pretrained ${pretrained} − initialisation ${initial} ≥ ${margin}`);
    t.ok(pixels > 0.75 && pixels < 0.85, `raw-pixel baseline ${pixels} as expected for Fashion-MNIST`);
    t.ok(
      linear.pretrained - linear.initial >= margin,
      `linear probe: pretrained ${linear.pretrained} − initialisation ${linear.initial} ≥ ${margin}`,
    );
    t.ok(linear.pixels > 0.75 && linear.pixels < 0.9, `linear probe on raw pixels ${linear.pixels}`);
    t.match(run.stdout, /^reached max-steps at step 40; run directory /m);
    t.match(run.stdout, /\nreport: .*demo\/report\.html\n$/, 'it ends with the report');
  },
);
