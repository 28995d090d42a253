// Tensor operations exposed to users; each runs on the native device thread.
import { native, type DType } from './native.js';
import { Tensor } from './tensor.js';

/** Matrix product with LibTorch's broadcasting rules (torch.matmul). */
export async function matmul<D extends DType>(a: Tensor<D>, b: Tensor<D>): Promise<Tensor<D>> {
  return new Tensor(await native().NativeTensor.matmul(a.handle, b.handle));
}
