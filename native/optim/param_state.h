// The per-parameter momentum buffer of LARS or LibTorch's SGD, read and written by
// parameter: for checkpoints in torch.optim's layout and for resuming from them.
#pragma once

#include <ATen/Tensor.h>
#include <torch/optim/optimizer.h>

namespace mveb {

// Undefined when the parameter has no state yet (before its first step).
at::Tensor momentumBuffer(torch::optim::Optimizer& optimizer, const at::Tensor& param);
void setMomentumBuffer(torch::optim::Optimizer& optimizer, const at::Tensor& param, const at::Tensor& buffer);

}  // namespace mveb
