// The fused Stein path (radix-selected bandwidth, one pass forming K + ηI and G) on the CPU:
// the same stein_math.h arithmetic the CUDA kernels run, checked against the ATen path.
// (The fused path against the authors' own code: test/mveb/stein.test.ts.)
import t, { type Test } from 'tap';
import { info } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import * as ops from '../../lib/entries/ops.js';
import { relativeError } from '../helpers/numeric.js';

/** Gaussian rows from a seeded generator, L2-normalised unless `scale` is given (then scaled). */
function rows(n: number, d: number, seed: number, options: { scale?: number; float32?: boolean } = {}): Tensor {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const values = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      values[i * d + j] = g;
      norm += g * g;
    }
    const factor = options.scale ?? 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) values[i * d + j]! *= factor;
  }
  return options.float32 ? Tensor.fromArray(Float32Array.from(values), [n, d]) : Tensor.fromArray(values, [n, d]);
}

async function compare(t: Test, z: Tensor, label: string, precision: 'float64' | 'input' = 'float64', bound = 1e-6) {
  const aten = await ops.steinScore(z, { implementation: 'aten', precision });
  const fused = await ops.steinScore(z, { implementation: 'fused', precision });
  t.equal(fused.bandwidth, aten.bandwidth, `${label}: the same bandwidth element (${aten.bandwidth})`);
  t.same(fused.score.shape, aten.score.shape);
  t.equal(fused.score.dtype, z.dtype);
  const err = relativeError(
    (await fused.score.toArray()) as Float64Array,
    (await aten.score.toArray()) as Float64Array,
  );
  t.ok(err <= bound, `${label}: score relative difference ${err.toExponential(2)} (≤ ${bound})`);
}

t.test('odd and even N, float64: the bandwidth exactly, the score within 1e-6 of the ATen path', async (t) => {
  for (const n of [1, 2, 3, 7, 8, 63, 64, 255, 256]) {
    for (const d of [3, 128]) await compare(t, rows(n, d, n * 31 + d), `N=${n}, d=${d}`);
  }
  await compare(t, rows(33, 2048, 5), 'N=33, d=2048');
  await compare(t, rows(34, 2048, 6), 'N=34, d=2048');
});

t.test(
  'float32 input: the same element from the same float32 similarities; solved in float64 by default',
  async (t) => {
    for (const n of [7, 64, 129]) await compare(t, rows(n, 32, n, { float32: true }), `N=${n} float32`);
    // Solving in float32 too: K and G agree to rounding, the ill-conditioned solve amplifies it.
    for (const n of [7, 64])
      await compare(t, rows(n, 32, n + 1, { float32: true }), `N=${n} float32 solve`, 'input', 1e-5);
  },
);

t.test('selection is exact where values tie and where 1 − S is negative', async (t) => {
  // Four distinct rows, each repeated: the N² values take a handful of values many times over.
  const base = (await rows(4, 16, 3).toArray()) as Float64Array;
  for (const copies of [3, 4, 5]) {
    const tied = new Float64Array(4 * copies * 16);
    for (let r = 0; r < 4 * copies; r++) tied.set(base.subarray((r % 4) * 16, (r % 4) * 16 + 16), r * 16);
    await compare(t, Tensor.fromArray(tied, [4 * copies, 16]), `${4 * copies} rows with ties`);
  }
  // Unnormalised rows (norm ≈ 1.5): S reaches ~2.3, so 1 − S spans negative and positive values.
  for (const n of [9, 10]) await compare(t, rows(n, 4, 70 + n, { scale: 0.75 }), `N=${n} unnormalised`);
  // Identical rows: every value is 0 and the bandwidth is the clamp, in both.
  const same = Tensor.fromArray(new Float64Array([0.6, 0.8, 0.6, 0.8, 0.6, 0.8]), [3, 2]);
  t.equal((await ops.steinScore(same, { implementation: 'fused' })).bandwidth, 0.1);
  t.equal((await ops.steinScore(same, { implementation: 'fused', minBandwidth: 0.25 })).bandwidth, 0.25);
});

t.test('the MVEB loss takes the implementation too, with the same loss and gradient', async (t) => {
  const views = [rows(32, 16, 1, { float32: true }), rows(32, 16, 2, { float32: true })];
  const aten = await ops.mvebLoss(views, { grad: true, implementation: 'aten' });
  const fused = await ops.mvebLoss(views, { grad: true, implementation: 'fused' });
  t.ok(Math.abs(aten.loss - fused.loss) <= 1e-6 * Math.abs(aten.loss), `loss ${fused.loss} vs ${aten.loss}`);
  const err = relativeError(
    (await fused.grads![1]!.toArray()) as Float32Array,
    (await aten.grads![1]!.toArray()) as Float32Array,
  );
  t.ok(err <= 1e-6, `gradient relative difference ${err.toExponential(2)}`);
});

t.test('an unknown implementation is refused, naming the choices', async (t) => {
  const z = rows(4, 3, 1);
  await t.rejects(
    ops.steinScore(z, { implementation: 'triton' as 'auto' }),
    /^steinScore: options.implementation must be 'auto', 'fused' or 'aten', got 'triton'$/,
  );
  await t.rejects(
    ops.mvebLoss([z, z], { implementation: 'triton' as 'auto' }),
    /^mvebLoss: options.implementation must be/,
  );
});

const cuda = info().cuda ? false : 'no CUDA device on this machine';

t.test('CUDA: the fused kernels against the ATen path on the GPU and the CPU', { skip: cuda }, async (t) => {
  for (const n of [7, 64, 1000, 1024]) {
    for (const float32 of [false, true]) {
      const z = rows(n, 128, n, { float32 });
      const zGpu = await z.to('cuda');
      const label = `N=${n} ${float32 ? 'float32' : 'float64'}`;
      await compare(t, zGpu, `${label} on CUDA`);
      const auto = await ops.steinScore(zGpu);
      const cpu = await ops.steinScore(z, { implementation: 'fused' });
      // cuBLAS and the CPU BLAS round S differently: the same element, to float64 rounding.
      t.ok(
        Math.abs(auto.bandwidth - cpu.bandwidth) <= 1e-12 * cpu.bandwidth,
        `${label}: CUDA selects the CPU's element (${auto.bandwidth} vs ${cpu.bandwidth})`,
      );
      const err = relativeError(
        (await auto.score.toArray()) as Float64Array,
        (await cpu.score.toArray()) as Float64Array,
      );
      t.ok(err <= 1e-6, `${label}: CUDA (auto = fused) vs CPU fused ${err.toExponential(2)}`);
    }
  }
});
