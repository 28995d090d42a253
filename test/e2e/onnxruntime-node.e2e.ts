// Before a release (`npm run test:e2e`: it installs onnxruntime-node, ~300 MB, from npm): the
// example project examples/onnxruntime-node, installed as a user would (its own package.json,
// ONNXRUNTIME_NODE_INSTALL=skip), runs every architecture's exported backbone and gives the
// features of mveb-torch's own forward within 1e-4 per image (‖Δ‖/‖reference‖), at two batch sizes.
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/tensor.js';
import { caseName, exportCase, ONNX_CASES, relativeErrors } from '../helpers/onnx-cases.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir(t, 'mveb-ort-node-');
const project = join(dir, 'example');
cpSync(join(root, 'examples', 'onnxruntime-node'), project, { recursive: true });

t.test('npm install of the example, as its README says', async (t) => {
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  t.equal(install.status, 0, install.stderr);
});

for (const c of ONNX_CASES) {
  t.test(`${caseName(c)}: onnxruntime-node's features equal mveb-torch's`, async (t) => {
    const { model, onnx } = await exportCase(c, dir);
    for (const batch of [3, 1]) {
      const images = await Tensor.randn([batch, 3, c.size, c.size], { seed: 20 + batch });
      const imagesPath = join(dir, `${caseName(c)}-${batch}.npy`);
      const featuresPath = join(dir, `${caseName(c)}-${batch}-features.npy`);
      await images.saveNpy(imagesPath);
      const run = spawnSync(process.execPath, ['features.mjs', onnx, imagesPath, featuresPath], {
        cwd: project,
        encoding: 'utf8',
      });
      t.equal(run.status, 0, run.stderr);
      const reference = (await (await model.backboneFeatures(images)).toArray()) as Float32Array;
      const features = (await (await Tensor.loadNpy(featuresPath)).toArray()) as Float32Array;
      t.equal(features.length, reference.length);
      const errors = relativeErrors(features, reference, batch);
      t.ok(
        errors.every((e) => e <= 1e-4),
        `batch ${batch}: per-image ‖Δ‖/‖ref‖ ${errors.map((e) => e.toExponential(1)).join(', ')}`,
      );
    }
  });
}
