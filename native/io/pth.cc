#include "io/pth.h"

#include <torch/serialize.h>

#include "io/atomic_file.h"

namespace mveb::pth {

void saveTensors(const NamedTensors& tensors, const std::string& path) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, tensor] : tensors) dict.insert(name, tensor.detach().to(at::kCPU).contiguous());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  writeFileAtomically(path, {{bytes.data(), bytes.size()}});
}

void saveValue(const c10::IValue& value, const std::string& path) {
  std::vector<char> bytes = torch::pickle_save(value);
  writeFileAtomically(path, {{bytes.data(), bytes.size()}});
}

}  // namespace mveb::pth
