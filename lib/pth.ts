// Files PyTorch reads and writes: torch.save (.pth) dicts of tensors.
import { native } from './native.js';
import { flattenTensors, torchLoad } from './torch-format/torch-load.js';
import { toNative, type StateDict } from './tensor.js';

export type { StateDict } from './tensor.js';

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
