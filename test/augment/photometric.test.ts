// Photometric augmentation against torchvision's tensor transforms (Debian python3-torchvision),
// on the same images with the same drawn parameters, for both native implementations.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { info } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import { drawPhotometricParams, photometricAugment, type PhotometricParams } from '../../lib/data/photometric.js';
import { oraclePython } from '../helpers/python.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];
const solarizeThreshold = 128 / 255;
const shape = [6, 29, 37, 3] as const; // not square: catches swapped height and width

// Smooth colour gradients plus noise: every hue sector, saturated and grey pixels.
function testImages(): Uint8Array {
  const [n, h, w] = shape;
  const data = new Uint8Array(n * h * w * 3);
  let state = 12345;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) - 128;
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = ((i * h + y) * w + x) * 3;
        const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
        data[o] = clamp((255 * x) / w + noise() * 0.3 * (i % 3));
        data[o + 1] = clamp((255 * y) / h + noise() * 0.3);
        data[o + 2] = clamp(i === 5 ? data[o]! : 255 - (255 * (x + y)) / (w + h) + noise() * 0.2);
      }
  return data;
}

// Measured: at most 1.2e-6 from torchvision after un-normalising (float32 rounding).
const tolerance = 2e-6;
const images = testImages();

interface Case {
  name: string;
  params: PhotometricParams;
  blurKernel: number;
  reference?: Float32Array;
}

// torchvision's results for every case, from one Python process (it starts in about a second).
async function computeReferences(t: Test, cases: Case[]): Promise<void> {
  const dir = tempDir(t);
  await Tensor.fromArray(images, [...shape]).saveNpy(join(dir, 'images.npy'));
  const args = cases.flatMap(({ params, blurKernel }, i) => {
    writeFileSync(
      join(dir, `params${i}.json`),
      JSON.stringify({ params, blurKernel, spec: { mean, std, solarizeThreshold } }),
    );
    return [join(dir, `params${i}.json`), join(dir, `reference${i}.npy`)];
  });
  execFileSync(oraclePython, [
    join(root, 'test', 'augment', 'torchvision_photometric.py'),
    join(dir, 'images.npy'),
    ...args,
  ]);
  for (const [i, c] of cases.entries())
    c.reference = (await (await Tensor.loadNpy(join(dir, `reference${i}.npy`))).toArray()) as Float32Array;
}

// Our result against torchvision's, max abs difference un-normalised back to [0, 1].
async function maxDifference(t: Test, c: Case, implementation: 'fused' | 'aten'): Promise<number> {
  const ours = (await (
    await photometricAugment(images, shape, {
      params: c.params,
      blurKernel: c.blurKernel,
      implementation,
      mean,
      std,
      solarizeThreshold,
    })
  ).toArray()) as Float32Array;
  t.equal(ours.length, c.reference!.length, 'same number of values');
  const plane = shape[1] * shape[2];
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const channel = Math.floor(i / plane) % 3;
    worst = Math.max(worst, Math.abs(ours[i]! - c.reference![i]!) * std[channel]!);
  }
  return worst;
}

// Parameters that apply exactly one operation to every sample (the others are identities).
function only(
  op: 'brightness' | 'contrast' | 'saturation' | 'hue' | 'grayscale' | 'blur' | 'solarize',
): PhotometricParams {
  const n = shape[0];
  const factors: number[] = [];
  const jitterIndex = ['brightness', 'contrast', 'saturation', 'hue'].indexOf(op);
  for (let i = 0; i < n; i++) {
    const row = [1, 1, 1, 0];
    if (jitterIndex >= 0)
      row[jitterIndex] = jitterIndex === 3 ? -0.45 + (0.9 * i) / (n - 1) : 0.3 + (1.5 * i) / (n - 1);
    factors.push(...row);
  }
  const flag = (on: boolean) => Array.from({ length: n }, () => (on ? 1 : 0));
  return {
    jitter: flag(jitterIndex >= 0),
    order: Array.from({ length: n }, () => [0, 1, 2, 3]).flat(),
    factors,
    grayscale: flag(op === 'grayscale'),
    blur: flag(op === 'blur'),
    sigma: Array.from({ length: n }, (_, i) => 0.1 + (1.9 * i) / (n - 1)),
    solarize: flag(op === 'solarize'),
  };
}

const operations = ['brightness', 'contrast', 'saturation', 'hue', 'grayscale', 'blur', 'solarize'] as const;
const cases: Case[] = [
  ...operations.map((op) => ({ name: op, params: only(op), blurKernel: 13 })),
  ...[1, 2, 3].map((seed) => {
    const { blurKernel, ...params } = drawPhotometricParams(
      shape[0],
      { solarizeProb: 0.5, grayscaleProb: 0.3, blurProb: 0.7 },
      seed,
    );
    return { name: `the full recipe, seed ${seed}`, params, blurKernel };
  }),
];

t.test(
  'each operation and the full recipe with drawn parameters match torchvision, both implementations',
  async (t) => {
    await computeReferences(t, cases);
    for (const implementation of ['fused', 'aten'] as const) {
      for (const c of cases) {
        const difference = await maxDifference(t, c, implementation);
        t.ok(
          difference <= tolerance,
          `${implementation}, ${c.name}: max |ours − torchvision| = ${difference.toExponential(2)}`,
        );
      }
    }
  },
);

t.test('the same seed gives the same parameters and the same batch; another seed differs', async (t) => {
  const a = drawPhotometricParams(64, {}, 42);
  t.same(drawPhotometricParams(64, {}, 42), a);
  t.notSame(drawPhotometricParams(64, {}, 43), a);
  const run = async (seed: number) => {
    const out = await (await photometricAugment(images, shape, { seed })).toArray();
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  };
  t.ok((await run(7)).equals(await run(7)), 'byte-identical');
  t.notOk((await run(7)).equals(await run(8)));
});

t.test('drawn parameters follow the spec', async (t) => {
  const n = 4000;
  const p = drawPhotometricParams(n, { solarizeProb: 0.2 }, 9);
  const rate = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  t.ok(Math.abs(rate(p.jitter) - 0.8) < 0.03, `jitter rate ${rate(p.jitter)}`);
  t.ok(Math.abs(rate(p.grayscale) - 0.2) < 0.03, `grayscale rate ${rate(p.grayscale)}`);
  t.equal(rate(p.blur), 1, 'blur p = 1 by default');
  t.ok(Math.abs(rate(p.solarize) - 0.2) < 0.03, `solarize rate ${rate(p.solarize)}`);
  const column = (k: number) => p.factors.filter((_, i) => i % 4 === k);
  t.ok(
    column(0).every((f) => f >= 0.6 && f <= 1.4),
    'brightness in [0.6, 1.4]',
  );
  t.ok(
    column(2).every((f) => f >= 0.8 && f <= 1.2),
    'saturation in [0.8, 1.2]',
  );
  t.ok(
    column(3).every((f) => f >= -0.1 && f <= 0.1),
    'hue in [−0.1, 0.1]',
  );
  t.ok(
    p.sigma.every((s) => s >= 0.1 && s <= 2),
    'σ in [0.1, 2]',
  );
  const firsts = new Set(Array.from({ length: n }, (_, i) => p.order[4 * i]));
  t.equal(firsts.size, 4, 'every operation comes first in some sample');
  const permutations = Array.from({ length: n }, (_, i) =>
    p.order
      .slice(4 * i, 4 * i + 4)
      .sort()
      .join(),
  );
  t.ok(
    permutations.every((row) => row === '0,1,2,3'),
    'every order row is a permutation of 0..3',
  );
  t.equal(p.blurKernel, 13, 'automatic kernel 2·ceil(3·2) + 1');
});

t.test('bad input is refused with a message naming it', async (t) => {
  t.throws(() => drawPhotometricParams(4, { hue: 0.7 }, 1), /options\.hue must be in \[0\.0+, 0\.50*\]/);
  t.throws(() => drawPhotometricParams(4, { blurProb: 2 }, 1), /blurProb must be a probability/);
  t.throws(() => drawPhotometricParams(4, { blurKernel: 4 }, 1), /blurKernel must be a positive odd size/);
  t.throws(() => drawPhotometricParams(4, {}, -1), /seed must be a non-negative safe integer/);
  await t.rejects(photometricAugment(images, [6, 29, 37, 1], { seed: 1 }), /images must have 3 channels/);
  await t.rejects(photometricAugment(images.subarray(1), shape, { seed: 1 }), /data has \d+ bytes, shape needs/);
  const bad = { ...only('hue'), order: Array.from({ length: 24 }, () => 0) };
  await t.rejects(photometricAugment(images, shape, { params: bad }), /order rows must be permutations/);
  await t.rejects(photometricAugment(images, shape, {}), /give options\.seed or options\.params/);
  await t.rejects(
    photometricAugment(new Uint8Array(4 * 6 * 6 * 3), [4, 6, 6, 3], { seed: 1 }),
    /blur kernel 13 is too large for 6x6 images/,
  );
});

const cuda = info().cuda ? false : 'no CUDA device on this machine';

t.test('CUDA: the batch is augmented on the GPU and matches the CPU kernel', { skip: cuda }, async (t) => {
  for (const seed of [1, 2]) {
    const spec = { solarizeProb: 0.5, grayscaleProb: 0.3, blurProb: 0.7, seed };
    const gpu = await photometricAugment(images, shape, { ...spec, device: 'cuda' });
    t.match(gpu.device, /^cuda/);
    const cpu = (await (await photometricAugment(images, shape, spec)).toArray()) as Float32Array;
    const fromGpu = (await (await gpu.to('cpu')).toArray()) as Float32Array;
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(cpu[i]! - fromGpu[i]!));
    t.ok(worst * 0.229 <= 1 / 255, `seed ${seed}: max |GPU − CPU| = ${worst.toExponential(2)}`);
  }
});
