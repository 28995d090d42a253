// A tensor owned by LibTorch. Heavy work (copies between devices, file I/O)
// returns a Promise and runs on the native device thread.
import { native, type AnyTypedArray, type DType, type NativeTensor, type TypedArrayOf } from './native.js';

export type { AnyTypedArray, DType, TypedArrayOf } from './native.js';

/** The dtype a typed array becomes. */
export type DTypeOf<A extends AnyTypedArray> = A extends Float32Array
  ? 'float32'
  : A extends Float64Array
    ? 'float64'
    : A extends BigInt64Array
      ? 'int64'
      : 'uint8';

/** `D` is the dtype when known statically (from `fromArray`), else the union of all. */
export class Tensor<D extends DType = DType> {
  /** @internal The native tensor; not part of the published API. */
  readonly handle: NativeTensor;

  // Private, so that the published types have no constructor to call (stripInternal would leave
  // an argument-less `new Tensor()` that type-checks and fails at run time).
  private constructor(handle: NativeTensor) {
    this.handle = handle;
  }

  /** @internal A Tensor around a native one (the library's modules); users use the static constructors. */
  static wrap<D extends DType = DType>(handle: NativeTensor): Tensor<D> {
    return new Tensor<D>(handle);
  }

  /**
   * Copies a typed array into a new CPU tensor. The dtype follows the array:
   * Float32Array → float32, Float64Array → float64, BigInt64Array → int64, Uint8Array → uint8.
   * `shape` defaults to one dimension of `data.length`.
   */
  static fromArray<A extends AnyTypedArray>(data: A, shape: readonly number[] = [data.length]): Tensor<DTypeOf<A>> {
    return new Tensor(native().NativeTensor.fromTypedArray(data, shape));
  }

  /** Reads a NumPy `.npy` file (float32, float64, int64 or uint8; C or Fortran order). */
  static async loadNpy(path: string): Promise<Tensor> {
    return new Tensor(await native().NativeTensor.loadNpy(path));
  }

  /** Standard-normal float32 values from LibTorch's CPU generator seeded with `seed`. */
  static async randn(shape: readonly number[], options: { seed: number }): Promise<Tensor<'float32'>> {
    return new Tensor(await native().NativeTensor.randn(shape, options.seed));
  }

  get shape(): number[] {
    return this.handle.shape;
  }

  get dtype(): D {
    return this.handle.dtype as D;
  }

  /** 'cpu' or 'cuda:N'. */
  get device(): string {
    return this.handle.device;
  }

  get isContiguous(): boolean {
    return this.handle.isContiguous;
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The values in row-major order of the logical shape, copied to the host. */
  async toArray(): Promise<TypedArrayOf<D>> {
    return (await this.handle.toTypedArray()) as TypedArrayOf<D>;
  }

  /** A copy on `device` ('cpu', 'cuda', 'cuda:1', …); the same tensor if already there. */
  async to(device: string): Promise<Tensor<D>> {
    return new Tensor(await this.handle.to(device));
  }

  /** A view with two dimensions swapped (not contiguous in general). */
  transpose(dim0: number, dim1: number): Tensor<D> {
    return new Tensor(this.handle.transpose(dim0, dim1));
  }

  async contiguous(): Promise<Tensor<D>> {
    return new Tensor(await this.handle.contiguous());
  }

  /** Writes a NumPy `.npy` file atomically (temporary file, fsync, rename). */
  async saveNpy(path: string): Promise<void> {
    await this.handle.saveNpy(path);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device})`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no class'})`;
  return typeof value === 'string' ? `the string '${value}'` : String(value);
}

/** @internal The native handle of `value`, or a TypeError naming the argument (`where`) and what it got. */
export function handleOf(value: unknown, where: string): NativeTensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${where} must be a Tensor, got ${describeValue(value)}`);
  return value.handle;
}

/** @internal The handles of an array of Tensors; `where` names the array. */
export function handlesOf(values: unknown, where: string): NativeTensor[] {
  if (!Array.isArray(values)) throw new TypeError(`${where} must be an array of Tensors, got ${describeValue(values)}`);
  return values.map((v, i) => handleOf(v, `${where}[${i}]`));
}

/** Named tensors, as a state dict (torchvision/timm key names). */
export type StateDict = Record<string, Tensor>;

/** @internal The native handles of a state dict. */
export function toNative(tensors: StateDict): Record<string, NativeTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.handle]));
}

/** @internal Tensors around native handles. */
export function fromNative(tensors: Record<string, NativeTensor>): StateDict {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, Tensor.wrap(t)]));
}
