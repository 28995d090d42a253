// `eval` scores a dataset with a known test split on it without --val (as the training monitor
// does); any other dataset needs --val, and says so in one line before any work.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { knownTestSplit } from '../../lib/data/open-dataset.js';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const evalCli = (args: string[]) => spawnSync(process.execPath, [cli, 'eval', ...args], { encoding: 'utf8' });

t.test('fashion-mnist needs no --val: the command goes on to the weights', async (t) => {
  const missing = join(tempDir(t), 'missing.pth');
  const run = evalCli(['knn', missing, '--data', 'fashion-mnist']);
  t.equal(run.status, 1);
  t.notMatch(run.stderr, /Missing required argument|--val/);
  t.match(run.stderr, new RegExp(missing.replace(/[.]/g, '\\.')), 'it stopped at the weights, past the arguments');
  t.equal(knownTestSplit('fashion-mnist'), 'fashion-mnist:test');
  t.equal(knownTestSplit('./images'), undefined);
});

t.test('a folder without --val: one line naming what is missing', async (t) => {
  const run = evalCli(['knn', 'any.pth', '--data', './images']);
  t.equal(run.status, 1);
  t.equal(run.stderr, 'eval: --val is needed for ./images (only fashion-mnist has a known test split)\n');
});
