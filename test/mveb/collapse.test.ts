// The paper's claim (fig. 4): without the entropy term the Siamese network collapses to a
// constant representation; with β = 0.01 it does not. On real Fashion-MNIST images.
import t from 'tap';
import { Tensor, experiments } from '../../lib/entries/ops.js';
import { fashionMnistFiles, readIdx } from '../../lib/entries/data.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

t.test(
  'β = 0 collapses, β = 0.01 keeps the embeddings spread (Fashion-MNIST, 600 steps)',
  { skip: withoutFashionMnist('train') },
  async (t) => {
    const { data } = await readIdx(fashionMnistFiles('train').images);
    const count = 5000;
    const images = Tensor.fromArray(data.subarray(0, count * 28 * 28), [count, 28, 28]);
    const embedding = 64;
    const spread = 1 / Math.sqrt(embedding); // per-dimension std of uniformly spread unit vectors
    // Constant lr: step 600 of a longer run is this run's end (β=0 is at std 0.0008 there, 8× under the bar).
    const options = { steps: 600, embedding, seed: 3 };
    const collapsed = await experiments.collapseStudy(images, { ...options, beta: 0 });
    const healthy = await experiments.collapseStudy(images, { ...options, beta: 0.01 });
    const std0 = collapsed.embeddingStd.at(-1)!;
    const std1 = healthy.embeddingStd.at(-1)!;
    t.comment(
      `β=0:    std ${collapsed.embeddingStd.map((x) => x.toFixed(4)).join(' ')}, alignment ${collapsed.alignment.at(-1)}`,
    );
    t.comment(
      `β=0.01: std ${healthy.embeddingStd.map((x) => x.toFixed(4)).join(' ')}, alignment ${healthy.alignment.at(-1)}`,
    );
    t.ok(
      std0 < 0.05 * spread,
      `β=0 ends with std ${std0.toExponential(2)}, under 0.05/√d = ${(0.05 * spread).toFixed(5)}`,
    );
    t.ok(collapsed.alignment.at(-1)! > 0.99, 'β=0: both views map to the same point');
    t.ok(std1 > 0.8 * spread, `β=0.01 ends with std ${std1.toFixed(4)}, over 0.8/√d = ${(0.8 * spread).toFixed(4)}`);
    t.ok(healthy.loss.every(Number.isFinite) && collapsed.loss.every(Number.isFinite), 'finite losses');
  },
);

t.test('collapseStudy refuses bad input before training', async (t) => {
  const few = Tensor.fromArray(new Uint8Array(10 * 4 * 4), [10, 4, 4]);
  await t.rejects(experiments.collapseStudy(few, { batch: 32 }), /collapseStudy: 10 images for a batch of 32/);
  const floats = Tensor.fromArray(new Float32Array(10 * 4 * 4), [10, 4, 4]) as unknown as Tensor<'uint8'>;
  await t.rejects(experiments.collapseStudy(floats), /images must be uint8 \[M, H, W\]/);
});
