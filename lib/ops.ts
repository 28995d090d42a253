// Tensor operations exposed to users; each runs on the native device thread.
import { native } from './native.js';
import { Tensor } from './tensor.js';

/** Matrix product with LibTorch's broadcasting rules (torch.matmul). */
export async function matmul(a: Tensor, b: Tensor): Promise<Tensor> {
  return new Tensor(await native().NativeTensor.matmul(a.handle, b.handle));
}
