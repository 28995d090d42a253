// State dicts with PyTorch's names and order: for each module in pre-order, its own
// parameters, then its own buffers ("layer1.0.bn1.running_mean", "num_batches_tracked" included).
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "io/pth.h"

namespace mveb {

pth::NamedTensors stateDict(const torch::nn::Module& module);

struct LoadReport {
  std::vector<std::string> missing;     // in the module, not in the dict
  std::vector<std::string> unexpected;  // in the dict, not in the module
};

// Copies matching entries into the module (any device or dtype is converted). A key whose
// shape differs is an error naming the key. With `strict`, missing or unexpected keys are an
// error listing them; otherwise they are reported.
LoadReport loadStateDict(torch::nn::Module& module, const pth::NamedTensors& tensors, bool strict);

}  // namespace mveb
