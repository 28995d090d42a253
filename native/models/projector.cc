#include "models/projector.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>

#include "models/batch_norm.h"

namespace mveb {

torch::nn::Sequential makeProjector(int64_t in, const ProjectorOptions& options) {
  TORCH_CHECK(options.hidden > 0 && options.out > 0, "projector: hidden and out must be positive");
  using torch::nn::Linear;
  using torch::nn::LinearOptions;
  return torch::nn::Sequential(Linear(LinearOptions(in, options.hidden).bias(false)), BatchNorm(options.hidden),
                               torch::nn::ReLU(), Linear(LinearOptions(options.hidden, options.hidden).bias(false)),
                               BatchNorm(options.hidden), torch::nn::ReLU(),
                               Linear(LinearOptions(options.hidden, options.out).bias(true)));
}

}  // namespace mveb
