// Tensor operations exposed to users; each runs on the native device thread.
import { native, type DType } from './native.js';
import { Tensor, handleOf, handlesOf } from './tensor.js';

/** Matrix product with LibTorch's broadcasting rules (torch.matmul). */
export async function matmul<D extends DType>(a: Tensor<D>, b: Tensor<D>): Promise<Tensor<D>> {
  return Tensor.wrap(await native().NativeTensor.matmul(handleOf(a, 'matmul: a'), handleOf(b, 'matmul: b')));
}

export interface SteinOptions {
  /** Ridge added to the kernel matrix (default 0.01). */
  eta?: number;
  /** Lower clamp of the von Mises-Fisher kernel bandwidth (default 0.1). */
  minBandwidth?: number;
  /** 'cholesky' (default) solves (K + ηI)X = G; 'inverse' forms the inverse as the public code does. */
  solver?: 'cholesky' | 'inverse';
  /**
   * 'float64' (default) forms and solves the kernel system in float64: K + ηI can be
   * ill-conditioned, and float32 then loses ~1e-3 relative accuracy on low-dimensional or
   * clustered batches. 'input' computes in z's dtype: faster, less exact.
   */
  precision?: 'float64' | 'input';
  /**
   * 'auto' (default): 'fused' on CUDA when the addon has the CUDA kernels, else 'aten'.
   * 'fused': the bandwidth by radix selection over 1 − zzᵀ and one pass over zzᵀ that forms
   * K + ηI and G in place (the CUDA kernels, or the same arithmetic looped on the CPU).
   * 'aten': composed ATen calls (kthvalue, exp, sum). Both pick the same bandwidth element.
   */
  implementation?: 'auto' | 'fused' | 'aten';
}

/**
 * Stein score estimate ∇z log q(z) at each row of L2-normalised `z` [N, d], with the
 * von Mises-Fisher kernel exp(zᵀz'/τ). τ is the ⌊N²/2⌋-th largest of the N² entries of
 * 1 − zzᵀ (the authors' torch.topk element), at least `minBandwidth`. No autograd. z holding
 * NaN or ±Inf is refused.
 */
export async function steinScore(z: Tensor, options: SteinOptions = {}): Promise<{ score: Tensor; bandwidth: number }> {
  const { score, bandwidth } = await native().ops.steinScore(handleOf(z, 'steinScore: z'), options);
  return { score: Tensor.wrap(score), bandwidth };
}

/**
 * The entropy surrogate U = mean_n ⟨−score_n, z_n⟩ (score detached); with `grad: true`
 * also dU/dz, which is −score/N: ascending U follows the paper's entropy gradient.
 */
export async function entropySurrogate(
  z: Tensor,
  options: SteinOptions & { grad?: boolean } = {},
): Promise<{ value: number; bandwidth: number; grad?: Tensor }> {
  const result = await native().ops.entropySurrogate(handleOf(z, 'entropySurrogate: z'), options);
  return { value: result.value, bandwidth: result.bandwidth, ...(result.grad && { grad: Tensor.wrap(result.grad) }) };
}

export interface MvebLossOptions extends SteinOptions {
  /**
   * Target embeddings of the 2 global views (EMA branch). Omitted: a shared target, the
   * online global embeddings themselves, detached.
   */
  targets?: [Tensor, Tensor];
  /** Weight of the entropy term (default 0.01; the paper sees collapse at 0.001). */
  beta?: number;
  /** Also return dL/d(online view) for every view. */
  grad?: boolean;
}

export interface MvebLossResult {
  /** L = −A − β·U */
  loss: number;
  /** A: mean over views of mean_n ⟨z_online, z_target⟩ with the multi-crop pairing. */
  alignment: number;
  /** U: mean over views of the entropy surrogate. */
  uniformity: number;
  /** Kernel bandwidth of each online view. */
  bandwidths: number[];
  grads?: Tensor[];
}

/**
 * The MVEB loss over V ≥ 2 L2-normalised online views [N, d] (2 global, then local):
 * global 1 pairs with target 2, global 2 with target 1, each local view with the mean
 * of the two global targets; uniformity over all online views.
 */
export async function mvebLoss(online: Tensor[], options: MvebLossOptions = {}): Promise<MvebLossResult> {
  const { targets, ...rest } = options;
  const result = await native().ops.mvebLoss(
    handlesOf(online, 'mvebLoss: online'),
    targets ? handlesOf(targets, 'mvebLoss: targets') : null,
    rest,
  );
  return {
    loss: result.loss,
    alignment: result.alignment,
    uniformity: result.uniformity,
    bandwidths: result.bandwidths,
    ...(result.grads && { grads: result.grads.map((g) => Tensor.wrap(g)) }),
  };
}

/** target ← m·target + (1 − m)·online, in place, tensor by tensor. */
export async function emaUpdate(target: Tensor[], online: Tensor[], momentum: number): Promise<void> {
  await native().ops.emaUpdate(
    handlesOf(target, 'emaUpdate: target'),
    handlesOf(online, 'emaUpdate: online'),
    momentum,
  );
}
