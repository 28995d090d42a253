// `mveb-torch export --format onnx` for every architecture: onnx.checker passes (full check,
// shapes inferred), and Python's onnxruntime on the exported file gives the backbone's features
// within 1e-4 of mveb-torch's own forward on the same images, per image as ‖Δ‖/‖reference‖. The
// batch is dynamic (two batch sizes run one file). onnxruntime-node: test/e2e/onnxruntime-node.e2e.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/tensor.js';
import { exportWeights } from '../../lib/weights/export.js';
import { oraclePythonPath } from '../../scripts/oracle-venv.mjs';
import { tempDir } from '../helpers/tmp.js';
import { cli } from '../helpers/paths.js';
import { caseName, exportCase, ONNX_CASES, relativeErrors } from '../helpers/onnx-cases.js';

const dir = tempDir(t, 'mveb-onnx-');
const oracle = join(import.meta.dirname, 'onnxruntime_oracle.py');

for (const c of ONNX_CASES) {
  t.test(`${caseName(c)}: onnx.checker passes, onnxruntime's features equal mveb-torch's`, async (t) => {
    const { model, onnx: out } = await exportCase(c, dir);
    const { size } = c;
    const name = caseName(c);
    // One file, two batch sizes: the batch is dynamic.
    const batches = [3, 1];
    const files = batches.map((batch) => ({
      batch,
      images: join(dir, `${name}-images-${batch}.npy`),
      features: join(dir, `${name}-features-${batch}.npy`),
    }));
    const images = await Promise.all(
      batches.map((batch) => Tensor.randn([batch, 3, size, size], { seed: 10 + batch })),
    );
    for (const [i, file] of files.entries()) await images[i]!.saveNpy(file.images);
    const run = spawnSync(oraclePythonPath, [oracle, out, ...files.flatMap((f) => [f.images, f.features])], {
      encoding: 'utf8',
    });
    t.equal(run.status, 0, run.stderr);
    if (run.status !== 0) return;
    const about = JSON.parse(run.stdout) as {
      opset: number;
      inputs: Record<string, Array<string | number>>;
      outputs: Record<string, Array<string | number>>;
    };
    t.ok(about.opset >= 17, `opset ${about.opset}`);
    t.same(about.inputs.images?.[0], 'batch', 'a dynamic batch');
    t.same(about.outputs.features?.[0], 'batch');
    for (const [i, { batch, features: path }] of files.entries()) {
      const reference = (await (await model.backboneFeatures(images[i]!)).toArray()) as Float32Array;
      const features = (await (await Tensor.loadNpy(path)).toArray()) as Float32Array;
      t.equal(features.length, reference.length, `batch ${batch}: [${batch}, ${reference.length / batch}]`);
      const errors = relativeErrors(features, reference, batch);
      t.ok(
        errors.every((e) => e <= 1e-4),
        `batch ${batch}: per-image ‖Δ‖/‖ref‖ ${errors.map((e) => e.toExponential(1)).join(', ')}`,
      );
    }
  });
}

t.test('the CLI: `export --format onnx` writes beside the weights and says how to run it', async (t) => {
  // resnet18's weights file, written by the first case above, in a folder of its own.
  const weights = join(dir, 'cli', 'resnet18.pth');
  mkdirSync(dirname(weights));
  copyFileSync(join(dir, 'resnet18.pth'), weights);
  const run = spawnSync(process.execPath, [cli, 'export', weights, '--format', 'onnx'], { encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, `wrote    ${join(dir, 'cli', 'resnet18.onnx')}`);
  t.match(run.stdout, /input "images": float32 \[batch, 3, H, W\]/);
  t.match(run.stdout, /output "features": float32 \[batch, 512\].*opset 17/);
  t.match(run.stdout, /onnxruntime\.InferenceSession/);
  const again = spawnSync(process.execPath, [cli, 'export', weights, '--format', 'onnx'], { encoding: 'utf8' });
  t.equal(again.status, 1);
  t.match(again.stderr, /resnet18\.onnx exists; pass --force to replace it/);
});

t.test('refusals: --with-projector has no place in the ONNX backbone', async (t) => {
  await t.rejects(exportWeights(join(dir, 'none.pth'), { format: 'onnx', withProjector: true }), {
    name: 'InputError',
    message: /features before the projector/,
  });
});
