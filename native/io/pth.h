// torch.save / torch.load compatible files (zip + pickle) for dicts of tensors.
#pragma once

#include <ATen/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace mveb::pth {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// A file Python's torch.load reads as a dict {name: tensor}, in this order. Tensors are
// saved from the CPU. Written atomically (temporary file, fsync, rename).
void saveTensors(const NamedTensors& tensors, const std::string& path);

// Reads a dict of tensors written by torch.save (a state_dict, an OrderedDict) or by saveTensors.
// Nested dicts are flattened with '.' as torch's state dicts are ({"model": {...}} → "model.x").
NamedTensors loadTensors(const std::string& path);

}  // namespace mveb::pth
