// Reading files written by Python's torch.save (the zip format, PyTorch ≥ 1.6) and by
// LibTorch's pickle_save, without Python: zip + pickle + tensor storages.
import { readFile } from 'node:fs/promises';
import type { AnyTypedArray } from '../native.js';
import { Tensor } from '../tensor.js';
import { PickledObject, unpickle, type PickleCallable } from './unpickle.js';
import { readZip } from './zip.js';

interface StorageClass {
  storage: string; // 'Float', 'Long', …
}

interface Storage {
  kind: string;
  bytes: Buffer;
}

// How each storage type becomes one of our four dtypes; narrower types are widened.
const STORAGE_TYPES: Record<string, { bytes: number; read: (b: Buffer, n: number) => AnyTypedArray }> = {
  Float: { bytes: 4, read: (b, n) => copy(b, n, 4, (s) => new Float32Array(s)) },
  Double: { bytes: 8, read: (b, n) => copy(b, n, 8, (s) => new Float64Array(s)) },
  Long: { bytes: 8, read: (b, n) => copy(b, n, 8, (s) => new BigInt64Array(s)) },
  Byte: { bytes: 1, read: (b, n) => Uint8Array.from(b.subarray(0, n)) },
  Bool: { bytes: 1, read: (b, n) => Uint8Array.from(b.subarray(0, n)) },
  Int: { bytes: 4, read: (b, n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(b.readInt32LE(4 * i))) },
  Short: { bytes: 2, read: (b, n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(b.readInt16LE(2 * i))) },
  Char: { bytes: 1, read: (b, n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(b.readInt8(i))) },
  Half: { bytes: 2, read: (b, n) => Float32Array.from({ length: n }, (_, i) => halfToFloat(b.readUInt16LE(2 * i))) },
  BFloat16: {
    bytes: 2,
    read: (b, n) => {
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = b.readUInt16LE(2 * i) << 16;
      return out;
    },
  },
};

function copy<T extends AnyTypedArray>(b: Buffer, n: number, width: number, make: (buffer: ArrayBuffer) => T): T {
  const buffer = new ArrayBuffer(n * width);
  new Uint8Array(buffer).set(b.subarray(0, n * width));
  return make(buffer);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function rebuildTensor(args: unknown[], path: string): Tensor {
  const [storage, offset, size, stride] = args as [Storage, number, number[], number[]];
  const type = STORAGE_TYPES[storage.kind];
  if (!type) throw new Error(`${path}: tensors of ${storage.kind}Storage are not supported`);
  const flat = type.read(storage.bytes, storage.bytes.length / type.bytes);
  const numel = size.reduce((a, b) => a * b, 1);
  let contiguous = true;
  for (let d = size.length - 1, expected = 1; d >= 0; d--) {
    if (size[d]! !== 1 && stride[d] !== expected) contiguous = false;
    expected *= size[d]!;
  }
  let values: AnyTypedArray;
  if (contiguous) {
    values = flat.slice(offset, offset + numel) as AnyTypedArray;
  } else {
    // A view with other strides: gather its elements in row-major order.
    values = new (flat.constructor as new (n: number) => AnyTypedArray)(numel);
    const index = new Array(size.length).fill(0);
    for (let i = 0; i < numel; i++) {
      let at = offset;
      for (let d = 0; d < size.length; d++) at += index[d] * stride[d]!;
      (values as unknown as Array<number | bigint>)[i] = (flat as unknown as Array<number | bigint>)[at]!;
      for (let d = size.length - 1; d >= 0; d--) {
        if (++index[d] < size[d]!) break;
        index[d] = 0;
      }
    }
  }
  return Tensor.fromArray(values, size);
}

/**
 * The object a torch.save file holds, with dicts as Maps, tuples and lists as arrays,
 * tensors as Tensors (Half/BFloat16 widened to float32, integer types to int64, bool to uint8).
 */
export async function torchLoad(path: string): Promise<unknown> {
  const file = await readFile(path);
  if (file.length === 0) throw new Error(`${path}: the file is empty (0 bytes), not a torch.save file`);
  if (file.length < 4 || file.readUInt32LE(0) !== 0x04034b50) {
    throw new Error(`${path}: not a zip-format torch.save file (written by PyTorch < 1.6, or not a checkpoint)`);
  }
  const entries = readZip(file, path);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName) throw new Error(`${path}: no data.pkl in the archive`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const globals: Record<string, PickleCallable> = {
    'collections.OrderedDict': () => new Map(),
    'torch._utils._rebuild_tensor_v2': (args) => rebuildTensor(args, path),
    'torch._utils._rebuild_parameter': (args) => args[0],
    // LibTorch's pickle_save wraps containers with their TorchScript type: (value, 'Dict[str, Tensor]').
    'torch.jit._pickle.restore_type_tag': (args) => args[0],
  };
  return unpickle(
    entries.get(pickleName)!.data(),
    {
      resolveGlobal(module, name) {
        const known = globals[`${module}.${name}`];
        if (known) return known;
        if (module === 'torch' && name.endsWith('Storage')) {
          const storageClass: StorageClass = { storage: name.slice(0, -'Storage'.length) };
          return Object.assign(() => storageClass, storageClass);
        }
        return (args) => new PickledObject(`${module}.${name}`, args);
      },
      persistentLoad(pid) {
        const [kind, storageClass, key] = pid as [string, StorageClass, string];
        if (kind !== 'storage') throw new Error(`${path}: unknown persistent id ${String(kind)}`);
        const entry = entries.get(`${prefix}data/${key}`);
        if (!entry) throw new Error(`${path}: storage ${key} is missing from the archive`);
        return { kind: storageClass.storage, bytes: entry.data() } satisfies Storage;
      },
    },
    path,
  );
}

/** Every tensor in nested dicts, named by the dict keys joined with '.'. */
export function flattenTensors(value: unknown, prefix = '', out: Record<string, Tensor> = {}): Record<string, Tensor> {
  if (value instanceof Tensor) out[prefix] = value;
  else if (value instanceof Map) {
    for (const [key, item] of value) flattenTensors(item, prefix ? `${prefix}.${String(key)}` : String(key), out);
  }
  return out;
}
