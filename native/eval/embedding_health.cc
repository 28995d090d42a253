#include "eval/embedding_health.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <limits>
#include <stdexcept>

namespace mveb {

EmbeddingHealth embeddingHealth(const at::Tensor& z1In, const at::Tensor& z2In) {
  if (z1In.dim() != 2 || z1In.size(0) < 2) throw std::invalid_argument("embeddingHealth: z1 must be [N >= 2, d]");
  at::NoGradGuard noGrad;
  const auto normalize = [](const at::Tensor& z) {
    const at::Tensor x = z.to(at::kDouble);
    return x / x.norm(2, {1}, true).clamp_min(1e-12);
  };
  const at::Tensor z1 = normalize(z1In);
  EmbeddingHealth health;
  const at::Tensor std = z1.std(0);
  health.stdMean = std.mean().item<double>();
  health.stdMin = std.min().item<double>();
  const at::Tensor singular = at::linalg_svdvals(z1 - z1.mean(0, true));
  const at::Tensor p = singular / singular.sum().clamp_min(1e-12);
  health.effectiveRank = (-(p * p.clamp_min(1e-12).log()).sum()).exp().item<double>();
  if (z2In.defined()) {
    if (z2In.sizes() != z1In.sizes()) throw std::invalid_argument("embeddingHealth: z2 must have z1's shape");
    health.alignment = (z1 - normalize(z2In)).pow(2).sum(1).mean().item<double>();
  } else {
    health.alignment = std::numeric_limits<double>::quiet_NaN();
  }
  const int64_t n = z1.size(0);
  const at::Tensor distances = at::cdist(z1, z1).pow(2);
  const at::Tensor offDiagonal = ~at::eye(n, at::TensorOptions().dtype(at::kBool).device(z1.device()));
  health.uniformity = (-2.0 * distances.masked_select(offDiagonal)).exp().mean().log().item<double>();
  return health;
}

}  // namespace mveb
