// The demo preset on Fashion-MNIST: pre-training must beat the same backbone at
// initialisation in kNN accuracy, and the CLI ends by printing both (and raw pixels).
// Shortened to one epoch (about 5 minutes here) to keep CI short; the full two-epoch
// demo (the README's first command) is recorded in bench/results/.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

// Measured on the 2-core machine (one epoch): pretrained 76.5 %, initialisation 27.6 %,
// raw pixels 80.2 % (k = 200, T = 0.1, 10 000 train / 2 000 test images).
const margin = 0.2;

t.test('one epoch of the demo recipe beats its initialisation by a clear kNN margin', async (t) => {
  const run = spawnSync(process.execPath, [cli, 'train', '--preset', 'demo', '--epochs', '1', '--output', tempDir(t), '--name', 'demo'], {
    encoding: 'utf8',
    timeout: 20 * 60_000,
  });
  t.equal(run.status, 0, run.stderr);
  const percent = (label: string) => {
    const match = run.stdout.match(new RegExp(`${label} +([\\d.]+) %`));
    return match ? Number(match[1]) / 100 : NaN;
  };
  const pretrained = percent('pretrained backbone');
  const initial = percent('same backbone at initialisation');
  const pixels = percent('raw pixels');
  t.ok(pretrained - initial >= margin, `pretrained ${pretrained} − initialisation ${initial} ≥ ${margin}`);
  t.ok(pixels > 0.75 && pixels < 0.85, `raw-pixel baseline ${pixels} as expected for Fashion-MNIST`);
  t.match(run.stdout, /^done at step 468; run directory /m);
});
