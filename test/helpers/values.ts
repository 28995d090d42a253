// A tensor's values as a plain array, whatever its dtype, for t.same comparisons.
import type { Tensor } from '../../lib/entries/ops.js';

export async function values(tensor: Tensor): Promise<Array<number | bigint>> {
  return Array.from((await tensor.toArray()) as ArrayLike<number | bigint>);
}
