// `mveb-torch eval` end to end on small labelled data: the pretrained score and both baselines,
// features cached and reused (the same numbers), the CLI's table and JSON, and its refusals.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openDataset } from '../../lib/entries/data.js';
import { evaluate } from '../../lib/eval/evaluate.js';
import { datasetFeatures } from '../../lib/eval/features.js';
import { knnGrid } from '../../lib/eval/protocols.js';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { checkpointOf, modelWithStatistics } from '../weights/fixtures.js';

const data = 'synthetic:128';
const val = 'synthetic:48';

t.test(
  'kNN with both baselines; a second run reads every feature set from the cache and gives the same result',
  async (t) => {
    const dir = tempDir(t);
    // A shared target: half the checkpoint to write and read.
    const model = await modelWithStatistics(
      { arch: 'resnet18', target: 'shared', projector: { hidden: 16, out: 8 } },
      32,
    );
    await checkpointOf(model, dir, {
      arch: 'resnet18',
      target: 'shared',
      projectorHidden: 16,
      projectorOut: 8,
      globalSize: 32,
    });
    const cacheDir = join(dir, 'cache');
    const options = {
      protocol: 'knn' as const,
      weights: dir,
      data,
      val,
      cacheDir,
      knn: { ks: [5, 20], temperatures: [0.1] },
    };
    const first = await evaluate(options);
    t.match(first, {
      protocol: 'knn',
      weights: { format: 'mveb-torch', arch: 'resnet18', branch: 'online' },
      data: { trainImages: 128, valImages: 48, classes: 10, size: 32 },
    });
    t.equal(first.cacheHits, 0);
    t.ok(first.baselines.rawPixels && first.baselines.initialisation, 'both baselines');
    t.equal((first.pretrained as { knn: unknown[] }).knn.length, 2);
    t.equal(
      readdirSync(cacheDir).filter((f) => f.endsWith('.labels.npy')).length,
      6,
      'train and val of three feature kinds',
    );

    // The pipeline's numbers are the protocol's on the model's own features.
    const train = await openDataset(data);
    const test = await openDataset(val);
    const direct = await knnGrid(
      await datasetFeatures(model, train, { size: 32 }),
      await datasetFeatures(model, test, { size: 32 }),
      { ks: [5, 20], temperatures: [0.1], classes: 10 },
    );
    t.same((first.pretrained as { knn: unknown[] }).knn, direct);

    const second = await evaluate(options);
    t.equal(second.cacheHits, 6);
    t.same({ ...second, cacheHits: 0 }, first, 'the same result from cached features');
  },
);

t.test('the CLI prints the table (and JSON), and refuses what it cannot score', async (t) => {
  const dir = tempDir(t);
  const model = await modelWithStatistics(
    { arch: 'resnet18', target: 'shared', projector: { hidden: 16, out: 8 } },
    32,
  );
  await checkpointOf(model, dir, {
    arch: 'resnet18',
    target: 'shared',
    projectorHidden: 16,
    projectorOut: 8,
    globalSize: 32,
  });
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'eval', ...args, '--cache-dir', join(dir, 'cache')], { encoding: 'utf8' });
  const table = run('linear', dir, '--data', data, '--val', val, '--epochs', '5');
  t.equal(table.status, 0, table.stderr);
  t.match(
    table.stdout,
    /linear probe:\n  pretrained +top-1 +[\d.]+ % +top-5 +[\d.]+ %\n  at initialisation +top-1 .*\n  raw pixels +top-1 /,
  );
  t.match(table.stderr, /resnet18 online features of synthetic:128/);
  const json = run('knn', dir, '--data', data, '--val', val, '--json', '--no-baselines', '--ks', '3');
  t.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  t.same(parsed.baselines, {});
  t.same(
    parsed.pretrained.knn.map((r: { k: number }) => r.k),
    [3, 3],
  );

  const target = run('knn', dir, '--data', data, '--val', val, '--branch', 'target');
  t.equal(target.status, 1);
  t.match(target.stderr, /^eval: .* has no target branch\n$/);
  const unlabelled = run('knn', join(dir, 'nothing-here'), '--data', data, '--val', val);
  t.match(unlabelled.stderr, /^eval: .*nothing-here does not exist\n$/);
  const ks = run('knn', dir, '--data', data, '--val', val, '--ks', '10,x');
  t.match(ks.stderr, /^--ks must be positive numbers separated by commas, got '10,x'\n$/);
});
