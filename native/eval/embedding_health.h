// Is the representation alive? Per-dimension spread, effective rank (Roy & Vetterli 2007)
// and the alignment and uniformity of Wang & Isola (2020) of L2-normalised embeddings.
#pragma once

#include <ATen/Tensor.h>

namespace mveb {

struct EmbeddingHealth {
  double stdMean = 0;  // mean over dimensions of the batch std (≈ 1/√d when spread, 0 when collapsed)
  double stdMin = 0;
  double effectiveRank = 0;  // exp(entropy of the normalised singular values of the centred batch)
  double alignment = 0;      // E‖z1 − z2‖² over positive pairs (α = 2); NaN without a second view
  double uniformity = 0;     // log E exp(−2‖zi − zj‖²) over distinct pairs (t = 2)
};

// z1, z2: [N, d] embeddings of two views of the same images (z2 may be undefined).
EmbeddingHealth embeddingHealth(const at::Tensor& z1, const at::Tensor& z2);

}  // namespace mveb
