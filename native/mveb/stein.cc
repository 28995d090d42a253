#include "mveb/stein.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <limits>
#include <string>

#include "mveb/stein_fused.h"

namespace mveb {

at::Tensor halfTopK(const at::Tensor& values) {
  at::Tensor flat = values.reshape({-1});
  const int64_t n = flat.numel();
  TORCH_CHECK(n > 0, "halfTopK: no values");
  // The k-th largest, k = max(1, floor(n/2)), is the (n - k + 1)-th smallest. For even n
  // that is the upper median; for odd n the element just above the median.
  const int64_t k = std::max<int64_t>(1, n / 2);
  return std::get<0>(at::kthvalue(flat, n - k + 1));
}

SteinImplementation resolveSteinImplementation(const at::Tensor& z, SteinImplementation requested) {
  if (requested == SteinImplementation::Auto) {
    return z.is_cuda() && fusedSteinAvailable(z) ? SteinImplementation::Fused : SteinImplementation::Aten;
  }
  if (requested == SteinImplementation::Fused) {
    std::string why;
    TORCH_CHECK(fusedSteinAvailable(z, &why), "steinScore: implementation 'fused' is not available on ", z.device(),
                ": ", why, " (use 'auto' or 'aten')");
  }
  return requested;
}

SteinResult steinScore(const at::Tensor& z, const SteinOptions& options) {
  TORCH_CHECK(z.dim() == 2, "steinScore: z must be 2-D [N, d], got shape ", z.sizes());
  TORCH_CHECK(z.size(0) > 0 && z.size(1) > 0, "steinScore: z must not be empty, got shape ", z.sizes());
  TORCH_CHECK(at::isFloatingType(z.scalar_type()), "steinScore: z must be float32 or float64, got ", z.scalar_type());
  TORCH_CHECK(options.eta > 0, "steinScore: eta must be > 0, got ", options.eta);
  TORCH_CHECK(options.minBandwidth > 0, "steinScore: minBandwidth must be > 0, got ", options.minBandwidth);

  at::NoGradGuard noGrad;
  at::Tensor zd = options.precision == SteinPrecision::Float64 ? z.detach().to(at::kDouble) : z.detach();
  at::Tensor similarity = at::matmul(zd, zd.t());
  at::Tensor bandwidth, g, regularised;
  if (resolveSteinImplementation(z, options.implementation) == SteinImplementation::Fused) {
    zd = zd.contiguous();
    bandwidth = fusedBandwidth(similarity, options.minBandwidth);
    g = fusedKernelPass(similarity, zd, bandwidth, options.eta);
    regularised = similarity;  // now K + ηI
  } else {
    bandwidth = at::clamp_min(halfTopK(1 - similarity), options.minBandwidth);
    at::Tensor kernel = at::exp(similarity / bandwidth);
    g = kernel.sum(1, /*keepdim=*/true) * zd / bandwidth;
    regularised = kernel + options.eta * at::eye(kernel.size(0), kernel.options());
  }

  // The _ex forms report a failed factorisation in `info` instead of throwing: from LibTorch 2.x
  // on, a NaN embedding makes linalg_cholesky throw, and a non-finite batch must reach the step's
  // skip-and-count as a NaN score, not end the run. `info` stays on the device (no sync).
  at::Tensor solution, info;
  if (options.solver == SteinSolver::Cholesky) {
    // K + ηI is symmetric positive definite: one factorisation, two triangular solves.
    auto [factor, failed] = at::linalg_cholesky_ex(regularised);
    solution = at::cholesky_solve(g, factor);
    info = failed;
  } else {
    auto [inverse, failed] = at::linalg_inv_ex(regularised);
    solution = at::matmul(inverse, g);
    info = failed;
  }
  solution.masked_fill_(info.ne(0), std::numeric_limits<double>::quiet_NaN());
  return {solution.neg_().to(z.scalar_type()), bandwidth};
}

}  // namespace mveb
