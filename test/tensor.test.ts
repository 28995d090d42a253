import t from 'tap';
import { info } from '../lib/index.js';
import { Tensor, type AnyTypedArray } from '../lib/entries/ops.js';
import * as ops from '../lib/entries/ops.js';

const arrays: Array<[string, (n: number) => AnyTypedArray]> = [
  ['float32', (n) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3.25)],
  ['float64', (n) => Float64Array.from({ length: n }, (_, i) => Math.PI * (i - 7) * 1e-3)],
  ['int64', (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n - 9_007_199_254_740_993n)],
  ['uint8', (n) => Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256)],
];
const shapes = [[6], [2, 3], [2, 3, 4], [1, 1, 5], [0], [3, 0, 2], []];

t.test('round trip for every dtype and shape, empty and scalar included', async (t) => {
  for (const [dtype, make] of arrays) {
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = make(n);
      const tensor = Tensor.fromArray(data, shape);
      t.equal(tensor.dtype, dtype);
      t.same(tensor.shape, shape, `${dtype} shape ${JSON.stringify(shape)}`);
      t.equal(tensor.device, 'cpu');
      t.equal(tensor.numel, n);
      const back = await tensor.toArray();
      t.equal(back.constructor, data.constructor);
      t.same(Array.from(back as ArrayLike<number | bigint>), Array.from(data as ArrayLike<number | bigint>));
    }
  }
});

t.test('the tensor owns a copy: changing the source array later changes nothing', async (t) => {
  const data = new Float32Array([1, 2, 3]);
  const tensor = Tensor.fromArray(data);
  data[0] = 99;
  t.same(Array.from(await tensor.toArray()), [1, 2, 3]);
});

t.test('a typed array that is a window on a larger buffer is read from its offset', async (t) => {
  const buffer = new Float64Array([10, 11, 12, 13, 14]);
  const window = new Float64Array(buffer.buffer, 8, 3);
  t.same(Array.from(await Tensor.fromArray(window).toArray()), [11, 12, 13]);
});

t.test('non-contiguous tensors read back in logical row-major order', async (t) => {
  const data = Float32Array.from({ length: 24 }, (_, i) => i);
  const tensor = Tensor.fromArray(data, [2, 3, 4]);
  const view = tensor.transpose(0, 2);
  t.same(view.shape, [4, 3, 2]);
  t.equal(view.isContiguous, false);
  const expected: number[] = [];
  for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) expected.push(i * 12 + j * 4 + k);
  t.same(Array.from(await view.toArray()), expected);
  const packed = await view.contiguous();
  t.equal(packed.isContiguous, true);
  t.same(Array.from(await packed.toArray()), expected);
  t.same(Array.from(await tensor.toArray()), Array.from(data), 'the original is untouched');
});

t.test('.to("cpu") keeps values; randn is reproducible from its seed', async (t) => {
  const a = await Tensor.randn([3, 4], { seed: 7 });
  const b = await Tensor.randn([3, 4], { seed: 7 });
  const c = await Tensor.randn([3, 4], { seed: 8 });
  t.same(Array.from(await a.toArray()), Array.from(await b.toArray()));
  t.not(Array.from(await a.toArray()).join(), Array.from(await c.toArray()).join());
  const moved = await a.to('cpu');
  t.equal(moved.device, 'cpu');
  t.same(Array.from(await moved.toArray()), Array.from(await a.toArray()));
});

t.test('matmul matches a hand computation', async (t) => {
  const a = Tensor.fromArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = Tensor.fromArray(new Float64Array([7, 8, 9, 10, 11, 12]), [3, 2]);
  const c = await ops.matmul(a, b);
  t.same(c.shape, [2, 2]);
  t.same(Array.from(await c.toArray()), [58, 64, 139, 154]);
});

t.test('native errors arrive as JS errors that say what was wrong', async (t) => {
  t.throws(() => Tensor.fromArray(new Float32Array(5), [2, 3]), {
    message: 'fromTypedArray: data has 5 elements but shape [2, 3] needs 6',
  });
  t.throws(() => Tensor.fromArray(new Float32Array(2), [2, -1]), /shape entry 1 is not a non-negative integer/);
  t.throws(() => Tensor.fromArray(new Int32Array(2) as unknown as Float32Array), /unsupported array type/);
  t.throws(() => Tensor.fromArray(new Float32Array(6), [2, 3]).transpose(0, 5), /transpose: Dimension out of range/);
  const a = Tensor.fromArray(new Float32Array(6), [2, 3]);
  await t.rejects(ops.matmul(a, a), /matmul: .*shapes cannot be multiplied \(2x3 and 2x3\)/);
  await t.rejects(a.to('tpu:0'), /to\('tpu:0'\): .*device/i);
  await t.rejects(ops.matmul(a, {} as Tensor), TypeError);
  const error = await a.to('bogus').then(
    () => new Error('resolved'),
    (e: unknown) => e as Error,
  );
  t.match(error.message, /^to\('bogus'\): /);
  t.notMatch(error.message, /frame #|Exception raised from/, 'no C++ backtrace in the message');
});

const cuda = info().cuda ? false : 'no CUDA device on this machine';

t.test('CUDA: round trip through the GPU for every dtype, non-contiguous included', { skip: cuda }, async (t) => {
  for (const [dtype, make] of arrays) {
    const data = make(24);
    const gpu = await Tensor.fromArray(data, [2, 3, 4]).to('cuda');
    t.equal(gpu.device, 'cuda:0', dtype);
    t.same(
      Array.from((await gpu.toArray()) as ArrayLike<number | bigint>),
      Array.from(data as ArrayLike<number | bigint>),
    );
    const view = gpu.transpose(0, 2);
    const back = await view.to('cpu');
    t.equal(back.device, 'cpu');
    t.same(
      Array.from((await back.toArray()) as ArrayLike<number | bigint>),
      Array.from((await Tensor.fromArray(data, [2, 3, 4]).transpose(0, 2).toArray()) as ArrayLike<number | bigint>),
    );
  }
});

t.test('CUDA: matmul on the GPU matches the CPU', { skip: cuda }, async (t) => {
  const a = await Tensor.randn([64, 32], { seed: 3 });
  const b = await Tensor.randn([32, 16], { seed: 4 });
  const cpu = await (await ops.matmul(a, b)).toArray();
  const gpu = await ops.matmul(await a.to('cuda'), await b.to('cuda'));
  t.equal(gpu.device, 'cuda:0');
  const g = await gpu.toArray();
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(Number(cpu[i]) - Number(g[i])));
  t.ok(worst < 1e-3, `max abs difference ${worst}`);
});
