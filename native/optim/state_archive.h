// Saving and restoring an optimiser whole. LibTorch's Optimizer::load restores the
// per-parameter state but not the parameter groups' options (lr, momentum, ...), so a
// resumed run would silently use the constructor's options: these also keep the options.
#pragma once

#include <torch/optim/optimizer.h>

#include <string>

namespace mveb {

void saveOptimizer(const torch::optim::Optimizer& optimizer, const std::string& path);
void loadOptimizer(torch::optim::Optimizer& optimizer, const std::string& path);

}  // namespace mveb
