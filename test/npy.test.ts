// .npy interop with NumPy (Debian python3-numpy) in both directions.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../lib/entries/ops.js';
import { runPython } from './helpers/python.js';
import { tempDir } from './helpers/tmp.js';
import { values } from './helpers/values.js';

function hex(array: ArrayBufferView): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
}

const describeNpy = `
import json, sys, numpy as np
a = np.load(sys.argv[1])
print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape), "hex": np.ascontiguousarray(a).tobytes().hex()}))
`;

t.test('float32 written by mveb-torch is read by NumPy with identical values', async (t) => {
  const dir = tempDir(t);
  const values = Float32Array.from({ length: 3 * 5 * 7 }, (_, i) => Math.sin(i) * 1e3 + 1e-7 * i);
  values[0] = -0;
  values[1] = Number.MIN_VALUE; // a float32 subnormal after rounding
  values[2] = 3.4e38;
  const path = join(dir, 'a.npy');
  await Tensor.fromArray(values, [3, 5, 7]).saveNpy(path);
  const seen = JSON.parse(runPython(describeNpy, [path])) as { dtype: string; shape: number[]; hex: string };
  t.equal(seen.dtype, '<f4');
  t.same(seen.shape, [3, 5, 7]);
  t.equal(seen.hex, hex(values), 'bit-identical');
});

t.test('every dtype, empty, scalar and non-contiguous tensors are written so NumPy agrees', async (t) => {
  const dir = tempDir(t);
  const cases: Array<[string, Tensor, ArrayBufferView]> = [];
  const f64 = Float64Array.from({ length: 12 }, (_, i) => i / 3);
  cases.push(['<f8', Tensor.fromArray(f64, [3, 4]), f64]);
  const i64 = BigInt64Array.from({ length: 4 }, (_, i) => BigInt(i) - 2n ** 62n);
  cases.push(['<i8', Tensor.fromArray(i64, [4]), i64]);
  const u8 = Uint8Array.from({ length: 6 }, (_, i) => 250 + i);
  cases.push(['|u1', Tensor.fromArray(u8, [2, 3]), u8]);
  cases.push(['<f4', Tensor.fromArray(new Float32Array(0), [2, 0]), new Float32Array(0)]);
  cases.push(['<f4', Tensor.fromArray(new Float32Array([42.5]), []), new Float32Array([42.5])]);
  const transposed = Tensor.fromArray(
    Float32Array.from({ length: 6 }, (_, i) => i),
    [2, 3],
  ).transpose(0, 1);
  cases.push(['<f4', transposed, new Float32Array([0, 3, 1, 4, 2, 5])]);
  for (const [i, [descr, tensor, expected]] of cases.entries()) {
    const path = join(dir, `case${i}.npy`);
    await tensor.saveNpy(path);
    const seen = JSON.parse(runPython(describeNpy, [path])) as { dtype: string; shape: number[]; hex: string };
    t.equal(seen.dtype, descr, `case ${i} dtype`);
    t.same(seen.shape, tensor.shape, `case ${i} shape`);
    t.equal(seen.hex, hex(expected), `case ${i} values`);
  }
});

t.test('files written by NumPy load with identical values (all dtypes, Fortran order, format 2.0)', async (t) => {
  const dir = tempDir(t);
  const out = runPython(
    `
import json, sys, numpy as np
rng = np.random.default_rng(3)
d = sys.argv[1]
arrays = {
  "f32": rng.standard_normal((4, 6)).astype(np.float32),
  "f64": rng.standard_normal((2, 3, 5)),
  "i64": rng.integers(-2**62, 2**62, size=(7,), dtype=np.int64),
  "u8": rng.integers(0, 256, size=(3, 2, 2), dtype=np.uint8),
  "scalar": np.float32(1.5).reshape(()),
  "empty": np.zeros((0, 3), np.float64),
  "fortran": np.asfortranarray(rng.standard_normal((3, 4)).astype(np.float32)),
}
for name, a in arrays.items():
  np.save(f"{d}/{name}.npy", a)
with open(f"{d}/v2.npy", "wb") as f:
  np.lib.format.write_array(f, arrays["f32"], version=(2, 0))
arrays["v2"] = arrays["f32"]
print(json.dumps({k: {"dtype": a.dtype.str, "shape": list(a.shape), "hex": np.ascontiguousarray(a).tobytes().hex()}
                  for k, a in arrays.items()}))
`,
    [dir],
  );
  const expected = JSON.parse(out) as Record<string, { dtype: string; shape: number[]; hex: string }>;
  const dtypeOf: Record<string, string> = { '<f4': 'float32', '<f8': 'float64', '<i8': 'int64', '|u1': 'uint8' };
  for (const [name, want] of Object.entries(expected)) {
    const tensor = await Tensor.loadNpy(join(dir, `${name}.npy`));
    t.equal(tensor.dtype, dtypeOf[want.dtype], `${name} dtype`);
    t.same(tensor.shape, want.shape, `${name} shape`);
    t.equal(hex(await tensor.toArray()), want.hex, `${name} values`);
  }
});

t.test('bad .npy files are refused with a message naming the file and the problem', async (t) => {
  const dir = tempDir(t);
  const notNpy = join(dir, 'plain.npy');
  writeFileSync(notNpy, 'hello world, not numpy');
  await t.rejects(Tensor.loadNpy(notNpy), {
    message: `loadNpy: '${notNpy}' is not a valid .npy file: missing \\x93NUMPY magic`,
  });

  runPython('import sys, numpy as np; np.save(sys.argv[1], np.arange(6, dtype=np.int32))', [join(dir, 'i32.npy')]);
  await t.rejects(Tensor.loadNpy(join(dir, 'i32.npy')), /unsupported \.npy dtype '<i4'/);

  const good = join(dir, 'good.npy');
  await Tensor.fromArray(new Float64Array(10)).saveNpy(good);
  const truncated = join(dir, 'truncated.npy');
  writeFileSync(truncated, readFileSync(good).subarray(0, 128 + 40));
  await t.rejects(Tensor.loadNpy(truncated), /need 80 data bytes, file has 40/);

  // A corrupt shape is checked against the file before anything is allocated.
  const header = (shape: string) => {
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
    const padded = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
    const length = Buffer.alloc(2);
    length.writeUInt16LE(padded.length);
    return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), length, Buffer.from(padded, 'latin1')]);
  };
  const huge = join(dir, 'huge.npy');
  writeFileSync(huge, header('(100000000000000, 100000)'));
  await t.rejects(Tensor.loadNpy(huge), {
    message: `loadNpy: '${huge}' is not a valid .npy file: its shape is too large`,
  });
  writeFileSync(huge, header('(1000000000000,)'));
  await t.rejects(Tensor.loadNpy(huge), {
    message: `loadNpy: '${huge}' is not a valid .npy file: shape and dtype need 4000000000000 data bytes, file has 0`,
  });
  writeFileSync(huge, header('(123456789012345678901234567890,)'));
  await t.rejects(
    Tensor.loadNpy(huge),
    /is not a valid \.npy file: dimension 123456789012345678901234567890 in shape \(123456789012345678901234567890,\) is too large$/,
  );

  await t.rejects(Tensor.loadNpy(join(dir, 'missing.npy')), /cannot open .*missing\.npy': No such file or directory/);
  await t.rejects(Tensor.fromArray(new Float32Array(1)).saveNpy(join(dir, 'no', 'such', 'dir.npy')), /cannot create/);
});

t.test('saveNpy replaces files whole and leaves no temporary file behind, even when it fails', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'keep.npy');
  await Tensor.fromArray(new Float32Array([1, 2, 3])).saveNpy(path);
  await Tensor.fromArray(new Float32Array([4, 5])).saveNpy(path);
  t.same(await values(await Tensor.loadNpy(path)), [4, 5]);
  // The final rename fails when the target is a directory: the directory stays, the temp file goes.
  const occupied = join(dir, 'occupied.npy');
  mkdirSync(occupied);
  await t.rejects(Tensor.fromArray(new Float32Array([6])).saveNpy(occupied), /cannot rename onto/);
  t.same(readdirSync(dir).sort(), ['keep.npy', 'occupied.npy']);
});
