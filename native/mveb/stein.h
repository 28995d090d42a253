// The Stein score estimator with the von Mises-Fisher kernel (paper, section 4.4 and appendix A).
#pragma once

#include <ATen/Tensor.h>

namespace mveb {

enum class SteinSolver { Cholesky, Inverse };

enum class SteinPrecision { Float64, Input };

// Aten: a composition of ATen calls (kthvalue over the N² values, exp, sum, diagonal).
// Fused: radix selection and one pass over S (mveb/stein_fused.h); CPU or CUDA.
// Auto: fused on CUDA when the addon has the CUDA kernels, else ATen.
enum class SteinImplementation { Auto, Fused, Aten };

struct SteinOptions {
  double eta = 0.01;          // ridge added to the kernel matrix
  double minBandwidth = 0.1;  // lower clamp of the kernel bandwidth
  SteinSolver solver = SteinSolver::Cholesky;
  // K + ηI can be ill-conditioned (cond ~ N·e^(1/τ)/η): solving in float32 then loses
  // about 1e-3 relative accuracy on low-dimensional or clustered batches. Float64 keeps
  // the result within float32 rounding of the exact closed form; Input is faster.
  SteinPrecision precision = SteinPrecision::Float64;
  SteinImplementation implementation = SteinImplementation::Auto;
};

struct SteinResult {
  at::Tensor score;      // [N, d], estimate of grad_z log q(z) at each row of z
  at::Tensor bandwidth;  // 0-dim, on z's device (read it only when logging: it syncs)
};

// For L2-normalised rows z [N, d]:
//   S = z zᵀ, bandwidth τ = max(the ⌊N²/2⌋-th largest of the N² entries of 1 − S, minBandwidth)
//   (the element the authors' heuristic_kernel_width takes with torch.topk),
//   K = exp(S / τ), G = diag(K·1) z / τ, score = −(K + ηI)⁻¹ G.
// Computed without autograd; the score has z's dtype. Both implementations select the same
// bandwidth element and agree to rounding.
SteinResult steinScore(const at::Tensor& z, const SteinOptions& options = {});

// The max(1, ⌊n/2⌋)-th largest of all n entries — torch.topk(values, n // 2)[-1], as in the
// authors' heuristic_kernel_width — found by selection (kthvalue), not by sorting. For even n
// it is the upper median.
at::Tensor halfTopK(const at::Tensor& values);

// The implementation `options` resolve to for z (Auto decided by z's device).
SteinImplementation resolveSteinImplementation(const at::Tensor& z, SteinImplementation requested);

}  // namespace mveb
