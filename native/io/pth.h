// torch.save-compatible files (zip + pickle) for dicts of tensors. Reading them back is in
// TypeScript (lib/checkpoint/torch-load.ts): LibTorch's unpickler rejects the OrderedDict
// metadata of Python state dicts.
#pragma once

#include <ATen/Tensor.h>
#include <ATen/core/ivalue.h>

#include <string>
#include <utility>
#include <vector>

namespace mveb::pth {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// A file Python's torch.load reads as a dict {name: tensor}, in this order. Tensors are
// saved from the CPU. Written atomically (temporary file, fsync, rename).
void saveTensors(const NamedTensors& tensors, const std::string& path);

// Any value LibTorch can pickle (nested dicts, lists, numbers, strings, tensors), the same way.
void saveValue(const c10::IValue& value, const std::string& path);

}  // namespace mveb::pth
