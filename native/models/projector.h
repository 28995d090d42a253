// The MVEB projector: Linear(no bias) → BN → ReLU → Linear(no bias) → BN → ReLU → Linear(bias).
#pragma once

#include <torch/nn/modules/container/sequential.h>

namespace mveb {

struct ProjectorOptions {
  int64_t hidden = 2048;
  int64_t out = 2048;
};

// Keys "0.weight", "1.weight", "1.running_mean", …, "6.weight", "6.bias".
torch::nn::Sequential makeProjector(int64_t in, const ProjectorOptions& options);

}  // namespace mveb
