// The paper's collapse study in miniature on the first 5000 Fashion-MNIST training images.
//   node bench/collapse/run.mjs '[{"beta":0,"seed":3},{"beta":0.01,"seed":3}]'
// Prints, per configuration, the wall time and the embedding std logged every 100 steps.
import { Tensor, experiments } from '../../dist/entries/ops.js';
import { readIdx, fashionMnistFiles } from '../../dist/entries/data.js';
const { data } = await readIdx(fashionMnistFiles('train').images);
const n = 5000;
const images = Tensor.fromArray(data.subarray(0, n * 28 * 28), [n, 28, 28]);
const cfgs = JSON.parse(process.argv[2]);
for (const cfg of cfgs) {
  const t0 = performance.now();
  const r = await experiments.collapseStudy(images, { seed: 1, ...cfg });
  console.log(
    JSON.stringify(cfg),
    ((performance.now() - t0) / 1000).toFixed(1) + 's',
    r.embeddingStd.map((x) => x.toFixed(4)).join(' '),
    'align',
    r.alignment.at(-1).toFixed(3),
  );
}
