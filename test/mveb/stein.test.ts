// The Stein score estimator against the authors' own code (com_score), transcribed in float64.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { info } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import * as ops from '../../lib/entries/ops.js';
import { oraclePython, runPython } from '../helpers/python.js';
import { authorsReference, root } from '../helpers/paths.js';
import { relativeError } from '../helpers/numeric.js';
import { tempDir } from '../helpers/tmp.js';

// z from a seed; the score from the authors' com_score in float64 (test/reference/mveb_authors.py).
const randomRows = `
import sys, numpy as np
out, n, d, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
z = rng.standard_normal((n, d))
np.save(out + "/z.npy", (z / np.linalg.norm(z, axis=1, keepdims=True)).astype(np.float32))
`;

/** Writes z.npy (float32) and score.npy (the authors' float64 score); returns their bandwidth. */
function reference(dir: string, n: number, d: number, seed: number): { bandwidth: number } {
  runPython(randomRows, [dir, String(n), String(d), String(seed)]);
  const out = execFileSync(oraclePython, [authorsReference, 'score', join(dir, 'z.npy'), join(dir, 'score.npy')], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { bandwidth: number };
}

for (const n of [2, 17, 256]) {
  for (const d of [3, 128]) {
    t.test(`N=${n}, d=${d}: float32 score within 1e-4 of the authors' float64 com_score, both solvers`, async (t) => {
      const dir = tempDir(t);
      const ref = reference(dir, n, d, n * 1000 + d);
      const z = await Tensor.loadNpy(join(dir, 'z.npy'));
      const expected = await (await Tensor.loadNpy(join(dir, 'score.npy'))).toArray();
      const cholesky = await ops.steinScore(z, { solver: 'cholesky' });
      const inverse = await ops.steinScore(z, { solver: 'inverse' });
      t.same(cholesky.score.shape, [n, d]);
      t.equal(cholesky.score.dtype, 'float32');
      const cholArray = (await cholesky.score.toArray()) as Float32Array;
      const invArray = (await inverse.score.toArray()) as Float32Array;
      const errChol = relativeError(cholArray, expected as Float64Array);
      const errInv = relativeError(invArray, expected as Float64Array);
      t.ok(errChol < 1e-4, `cholesky relative error ${errChol.toExponential(2)}`);
      t.ok(errInv < 1e-4, `inverse relative error ${errInv.toExponential(2)}`);
      t.ok(relativeError(cholArray, invArray) < 1e-4, 'cholesky and inverse agree');
      t.ok(Math.abs(cholesky.bandwidth - ref.bandwidth) < 1e-12, `bandwidth ${cholesky.bandwidth} vs ${ref.bandwidth}`);
      // Solving in float32 is also within 1e-4 unless K + ηI is ill-conditioned (N ≫ d here).
      const fast = (await (await ops.steinScore(z, { precision: 'input' })).score.toArray()) as Float32Array;
      const errFast = relativeError(fast, expected as Float64Array);
      if (n <= 2 * d) t.ok(errFast < 1e-4, `float32 solve relative error ${errFast.toExponential(2)}`);
      // How much depends on the LAPACK (MKL, OpenBLAS and its kernel for this CPU): 2.05e-3 to 2.28e-3 seen.
      else
        t.ok(
          errFast < 5e-3,
          `float32 solve relative error ${errFast.toExponential(2)} (ill-conditioned; the README's bound)`,
        );
    });
  }
}

// The authors take the ⌊N²/2⌋-th largest of the N² values (torch.topk): for odd N that is not
// the upper median, and the score moves by 4 % at N = 7.
t.test(
  "odd and even N at d = 2048: the authors' bandwidth element exactly, the score to float64 rounding",
  async (t) => {
    for (const n of [3, 7, 8, 33, 34, 35]) {
      const dir = tempDir(t);
      const ref = reference(dir, n, 2048, n);
      const z32 = await Tensor.loadNpy(join(dir, 'z.npy'));
      const z = Tensor.fromArray(Float64Array.from((await z32.toArray()) as Float32Array), z32.shape);
      const expected = (await (await Tensor.loadNpy(join(dir, 'score.npy'))).toArray()) as Float64Array;
      for (const implementation of ['aten', 'fused'] as const) {
        const ours = await ops.steinScore(z, { implementation });
        t.equal(ours.bandwidth, ref.bandwidth, `N=${n}, ${implementation}: bandwidth ${ours.bandwidth}`);
        const err = relativeError((await ours.score.toArray()) as Float64Array, expected);
        t.ok(err < 1e-9, `N=${n}, ${implementation}: relative difference ${err.toExponential(2)}`);
      }
    }
  },
);

t.test('the bandwidth is the ⌊N²/2⌋-th largest of the N² entries, found exactly, and clamped', async (t) => {
  // Orthonormal rows: 1 − S is 0 on the diagonal (N entries) and 1 elsewhere, so with N = 2
  // the 4 values are {0, 0, 1, 1}: the 2nd largest is 1.
  const z = Tensor.fromArray(new Float64Array([1, 0, 0, 1]), [2, 2]);
  t.equal((await ops.steinScore(z)).bandwidth, 1);
  // Identical rows: every entry of 1 − S is 0, clamped to minBandwidth.
  const same = Tensor.fromArray(new Float64Array([0.6, 0.8, 0.6, 0.8, 0.6, 0.8]), [3, 2]);
  t.equal((await ops.steinScore(same)).bandwidth, 0.1);
  t.equal((await ops.steinScore(same, { minBandwidth: 0.25 })).bandwidth, 0.25);
  // Three rows at 120°: 1 − S has 3 zeros and 6 values of 1.5; the 4th largest is 1.5.
  const c = Math.sqrt(3) / 2;
  const tri = Tensor.fromArray(new Float64Array([1, 0, -0.5, c, -0.5, -c]), [3, 2]);
  t.ok(Math.abs((await ops.steinScore(tri)).bandwidth - 1.5) < 1e-12);
});

t.test('bad input is refused with a message naming it', async (t) => {
  // The operation is named once, not twice.
  await t.rejects(
    ops.steinScore(Tensor.fromArray(new Float32Array(6), [6])),
    /^steinScore: z must be 2-D \[N, d\], got shape \[6\]$/,
  );
  await t.rejects(ops.steinScore(null as unknown as Tensor), /^steinScore: z must be a Tensor, got null$/);
  await t.rejects(ops.steinScore([1, 2] as unknown as Tensor), /^steinScore: z must be a Tensor, got an array$/);
  await t.rejects(
    ops.entropySurrogate(undefined as unknown as Tensor),
    /^entropySurrogate: z must be a Tensor, got undefined$/,
  );
  await t.rejects(ops.mvebLoss([null as unknown as Tensor]), /^mvebLoss: online\[0\] must be a Tensor, got null$/);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const z = Tensor.fromArray(new Float32Array([1, 0, bad, 1]), [2, 2]);
    await t.rejects(ops.steinScore(z), /^steinScore: z holds NaN or infinite values$/, `${bad} refused`);
    await t.rejects(ops.entropySurrogate(z), /^entropySurrogate: z holds NaN or infinite values$/);
    await t.rejects(ops.mvebLoss([z, z]), /^mvebLoss: online views hold NaN or infinite values$/);
  }
  await t.rejects(ops.steinScore(Tensor.fromArray(new Float32Array(0), [0, 3])), /must not be empty/);
  await t.rejects(ops.steinScore(Tensor.fromArray(new Uint8Array(4), [2, 2])), /float32 or float64/);
  const z = Tensor.fromArray(new Float32Array([1, 0, 0, 1]), [2, 2]);
  await t.rejects(ops.steinScore(z, { eta: 0 }), /eta must be > 0/);
  await t.rejects(
    ops.steinScore(z, { solver: 'lu' as 'cholesky' }),
    /options.solver must be 'cholesky' or 'inverse', got 'lu'/,
  );
});

// Samples of a von Mises–Fisher distribution on S² (exact inverse-CDF sampling of μᵀz).
const vmfSamples = `
import sys, numpy as np
out, n, kappa, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
mu = np.array([0.0, 0.6, 0.8])
u = rng.random(n)
w = 1 + np.log(u + (1 - u) * np.exp(-2 * kappa)) / kappa   # w = mu.z
v = rng.standard_normal((n, 3))
v -= (v @ mu)[:, None] * mu                                  # tangent directions at mu
v /= np.linalg.norm(v, axis=1, keepdims=True)
z = w[:, None] * mu + np.sqrt(np.clip(1 - w**2, 0, None))[:, None] * v
np.save(out + "/z.npy", z.astype(np.float32))
`;

for (const kappa of [2, 8]) {
  t.test(`vMF(κ=${kappa}) on S²: the estimated score's tangential part points like the true one`, async (t) => {
    const dir = tempDir(t);
    const n = 512;
    runPython(vmfSamples, [dir, String(n), String(kappa), String(kappa)]);
    const z = (await (await Tensor.loadNpy(join(dir, 'z.npy'))).toArray()) as Float32Array;
    const score = (await (await ops.steinScore(Tensor.fromArray(z, [n, 3]))).score.toArray()) as Float32Array;
    const mu = [0, 0.6, 0.8];
    let cosineSum = 0;
    let positive = 0;
    for (let i = 0; i < n; i++) {
      const zi = [z[3 * i]!, z[3 * i + 1]!, z[3 * i + 2]!];
      const si = [score[3 * i]!, score[3 * i + 1]!, score[3 * i + 2]!];
      // True score of exp(κ μᵀz) is κμ; keep the components tangent to the sphere at z.
      const tangent = (v: number[]) => {
        const along = v[0]! * zi[0]! + v[1]! * zi[1]! + v[2]! * zi[2]!;
        return v.map((x, k) => x - along * zi[k]!);
      };
      const truth = tangent(mu.map((m) => kappa * m));
      const estimate = tangent(si);
      const dot = truth.reduce((s, x, k) => s + x * estimate[k]!, 0);
      const norms = Math.hypot(...truth) * Math.hypot(...estimate);
      const cosine = dot / norms;
      cosineSum += cosine;
      if (cosine > 0) positive++;
    }
    const meanCosine = cosineSum / n;
    t.ok(meanCosine > 0.45, `mean cosine ${meanCosine.toFixed(3)} between estimated and true tangential scores`);
    t.ok(positive / n > 0.7, `${((100 * positive) / n).toFixed(1)}% of samples point the right way`);
  });
}

t.test("the README's one-liner: node -e with mveb-torch/ops' steinScore on a .npy file", async (t) => {
  const dir = tempDir(t);
  reference(dir, 64, 32, 5);
  // Run as the README prints it, from a project where mveb-torch is installed (a link to here).
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const oneLiner = /node -e "(import\('mveb-torch\/ops'\)[^"]*)"/.exec(readme)?.[1];
  t.ok(oneLiner, 'the README has the one-liner');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'mveb-torch'));
  renameSync(join(dir, 'score.npy'), join(dir, 'reference.npy'));
  execFileSync(process.execPath, ['-e', oneLiner!], { cwd: dir, encoding: 'utf8' });
  const compared = JSON.parse(
    runPython(
      'import sys, json, numpy as np; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); ' +
        'print(json.dumps({"dtype": a.dtype.str, "rel": float(np.linalg.norm(a - b) / np.linalg.norm(b))}))',
      [join(dir, 'score.npy'), join(dir, 'reference.npy')],
    ),
  ) as { dtype: string; rel: number };
  t.equal(compared.dtype, '<f4');
  t.ok(
    compared.rel < 1e-4,
    `NumPy reads our score: relative difference ${compared.rel.toExponential(2)} from its closed form`,
  );
});

const cuda = info().cuda ? false : 'no CUDA device on this machine';

t.test('CUDA: steinScore and the MVEB loss gradient agree with the CPU', { skip: cuda }, async (t) => {
  const dir = tempDir(t);
  reference(dir, 256, 128, 9);
  const z = await Tensor.loadNpy(join(dir, 'z.npy'));
  const zGpu = await z.to('cuda');
  for (const solver of ['cholesky', 'inverse'] as const) {
    for (const precision of ['float64', 'input'] as const) {
      const cpu = await ops.steinScore(z, { solver, precision });
      const gpu = await ops.steinScore(zGpu, { solver, precision });
      t.equal(gpu.score.device, 'cuda:0');
      t.equal(gpu.bandwidth, cpu.bandwidth, `${solver}/${precision}: same bandwidth`);
      const err = relativeError(
        (await gpu.score.toArray()) as Float32Array,
        (await cpu.score.toArray()) as Float32Array,
      );
      t.ok(err < 1e-4, `${solver}/${precision}: relative difference ${err.toExponential(2)}`);
    }
  }
  const cpuLoss = await ops.mvebLoss([z, z, z], { grad: true });
  const gpuLoss = await ops.mvebLoss([zGpu, zGpu, zGpu], { grad: true });
  t.ok(Math.abs(cpuLoss.loss - gpuLoss.loss) < 1e-4 * Math.abs(cpuLoss.loss), 'same loss');
  const err = relativeError(
    (await gpuLoss.grads![2]!.toArray()) as Float32Array,
    (await cpuLoss.grads![2]!.toArray()) as Float32Array,
  );
  t.ok(err < 1e-4, `same gradient (${err.toExponential(2)})`);
});
