// Files PyTorch reads and writes: torch.save (.pth) dicts of tensors.
import { native, type NativeTensor } from './native.js';
import { flattenTensors, torchLoad } from './checkpoint/torch-load.js';
import { Tensor } from './tensor.js';

export type StateDict = Record<string, Tensor>;

export function toNative(tensors: StateDict): Record<string, NativeTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.handle]));
}

export function fromNative(tensors: Record<string, NativeTensor>): StateDict {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, new Tensor(t)]));
}

/** Writes `{name: Tensor}` so that Python's `torch.load(path)` returns that dict (atomic write). */
export async function savePth(path: string, tensors: StateDict): Promise<void> {
  await native().io.savePth(path, toNative(tensors));
}

/**
 * Reads the tensors of a file written by `torch.save` (e.g. a state_dict) or by savePth.
 * Nested dicts are flattened with '.' ({"model": {"w": …}} → "model.w").
 */
export async function loadPth(path: string): Promise<StateDict> {
  const tensors = flattenTensors(await torchLoad(path));
  if (Object.keys(tensors).length === 0) throw new Error(`${path}: holds no tensors`);
  return tensors;
}
