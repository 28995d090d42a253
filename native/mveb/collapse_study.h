// The paper's collapse study (section 6, fig. 4) in miniature: a small MLP encoder with an
// EMA target trained with the MVEB loss on two augmented views of grayscale images, logging
// how spread the embeddings stay. With β = 0 only alignment is optimised and the embeddings
// collapse to a constant; the entropy term (β = 0.01) keeps them spread.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace mveb {

struct CollapseStudyOptions {
  int64_t steps = 800;
  int64_t batch = 128;
  double beta = 0.01;
  double lr = 0.2;  // SGD with momentum 0.9
  // Weight decay shrinks the last layer's weights, so a collapse runs to the end (std → 0).
  double weightDecay = 5e-3;
  // A fast target (0.9, not the 0.996 of ImageNet runs) shows the collapse within seconds.
  double emaMomentum = 0.9;
  int64_t hidden = 256;
  int64_t embedding = 64;
  int64_t logEvery = 100;
  uint64_t seed = 0;
};

struct CollapseStudyResult {
  std::vector<int64_t> steps;        // when each entry below was logged
  std::vector<double> embeddingStd;  // mean over dimensions of the per-dimension std across the batch
  std::vector<double> loss;
  std::vector<double> alignment;
};

// `images`: uint8 [M, H, W]. Deterministic for a seed on CPU.
CollapseStudyResult runCollapseStudy(const at::Tensor& images, const CollapseStudyOptions& options);

}  // namespace mveb
