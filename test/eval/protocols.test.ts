// The evaluation protocols on real features (Fashion-MNIST pixels pooled to 14×14, 5k train / 2k test) against
// independent re-computations: weighted kNN by NumPy, the linear probe and the L-BFGS transfer
// protocol by scikit-learn's LogisticRegression (within 1 point).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { fashionMnistFiles, readIdx } from '../../lib/entries/data.js';
import { holdOut, type FeatureSet } from '../../lib/eval/feature-set.js';
import { knnGrid, linearProbe, logSpace, logisticTransfer } from '../../lib/eval/protocols.js';
import { root } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutFashionMnist, withoutPythonModules } from '../helpers/requirements.js';

async function pixels(split: 'train' | 't10k', count: number): Promise<FeatureSet> {
  const images = await readIdx(fashionMnistFiles(split).images);
  const labels = await readIdx(fashionMnistFiles(split).labels);
  // Every other image (both splits' classes stay balanced), 2×2-average-pooled to 14×14: the
  // oracle's fits stay quick.
  const features = new Float32Array(count * 196);
  const y = new BigInt64Array(count);
  for (let i = 0; i < count; i++) {
    const image = images.data.subarray(2 * i * 784, (2 * i + 1) * 784);
    for (let r = 0; r < 14; r++) {
      for (let c = 0; c < 14; c++) {
        const sum =
          image[56 * r + 2 * c]! +
          image[56 * r + 2 * c + 1]! +
          image[56 * r + 28 + 2 * c]! +
          image[56 * r + 29 + 2 * c]!;
        features[i * 196 + 14 * r + c] = sum / (4 * 255);
      }
    }
    y[i] = BigInt(labels.data[2 * i]!);
  }
  return {
    features: Tensor.fromArray(features, [count, 196]) as Tensor<'float32'>,
    labels: Tensor.fromArray(y, [count]) as Tensor<'int64'>,
  };
}

t.test(
  'kNN grid, linear probe and transfer agree with NumPy and scikit-learn',
  { skip: withoutFashionMnist('train', 't10k') || withoutPythonModules('sklearn') },
  async (t) => {
    const dir = tempDir(t);
    const train = await pixels('train', 5000);
    const test = await pixels('t10k', 2000);
    const ks = [10, 20, 100, 200];
    const temperatures = [0.07, 0.1];
    const knn = await knnGrid(train, test, { ks, temperatures });
    const transfer = await logisticTransfer(train, test, { l2s: logSpace(-4, -2, 3) });
    // Batch 64: on 4.5k images the probe still takes ~6k steps (a 50k-image set does at MAE's 256).
    const probe = await linearProbe(train, test, { batch: 64 });
    t.comment(JSON.stringify(probe.search));
    await train.features.saveNpy(join(dir, 'train_x.npy'));
    await train.labels.saveNpy(join(dir, 'train_y.npy'));
    await test.features.saveNpy(join(dir, 'test_x.npy'));
    await test.labels.saveNpy(join(dir, 'test_y.npy'));
    const oracle = JSON.parse(
      execFileSync(
        oraclePython,
        [
          join(root, 'test', 'eval', 'protocols_oracle.py'),
          dir,
          String(transfer.l2),
          ks.join(','),
          temperatures.join(','),
        ],
        { encoding: 'utf8' },
      ),
    );

    t.equal(knn.length, 8, 'every (k, T) from one pass');
    for (const [i, ours] of knn.entries()) {
      const theirs = oracle.knn[i];
      t.match(ours, { k: theirs.k, temperature: theirs.temperature });
      // Only neighbours whose float32 and float64 similarities tie can differ.
      t.ok(
        Math.abs(ours.top1 - theirs.top1) <= 0.002 && Math.abs(ours.top5 - theirs.top5) <= 0.002,
        `k ${ours.k}, T ${ours.temperature}: top-1 ${ours.top1} vs ${theirs.top1}, top-5 ${ours.top5} vs ${theirs.top5}`,
      );
    }
    t.ok(
      knn.every((r) => r.top1 > 0.7 && r.top5 > r.top1),
      'plausible accuracies',
    );
    t.ok(
      Math.abs(transfer.top1 - oracle.transfer) <= 0.01,
      `transfer top-1 ${transfer.top1} vs scikit-learn ${oracle.transfer} at the chosen L2 ${transfer.l2}`,
    );
    t.equal(transfer.search.length, 3);
    t.ok(
      Math.abs(probe.top1 - oracle.probe) <= 0.01,
      `linear probe top-1 ${probe.top1} (lr ${probe.lr}, weight decay ${probe.weightDecay}) vs scikit-learn ${oracle.probe} (C ${oracle.probe_c})`,
    );
  },
);

t.test('a held-out split is seeded, disjoint and complete', async (t) => {
  const n = 50;
  const set: FeatureSet = {
    features: Tensor.fromArray(
      Float32Array.from({ length: n }, (_, i) => i),
      [n, 1],
    ) as Tensor<'float32'>,
    labels: Tensor.fromArray(
      BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
      [n],
    ) as Tensor<'int64'>,
  };
  const a = await holdOut(set, 0.2, 3);
  const b = await holdOut(set, 0.2, 3);
  const ids = async (s: FeatureSet) => Array.from((await s.labels.toArray()) as BigInt64Array, Number);
  t.same(await ids(a.held), await ids(b.held), 'the same seed, the same split');
  t.equal((await ids(a.held)).length, 10);
  t.same(
    [...(await ids(a.held)), ...(await ids(a.fit))].sort((x, y) => x - y),
    Array.from({ length: n }, (_, i) => i),
  );
  t.notSame(await ids((await holdOut(set, 0.2, 4)).held), await ids(a.held), 'another seed, another split');
});
