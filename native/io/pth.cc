#include "io/pth.h"

#include "io/atomic_file.h"
#include "io/io_error.h"

#include <torch/serialize.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mveb::pth {
namespace {

void flatten(const c10::IValue& value, const std::string& prefix, NamedTensors& out, const std::string& path) {
  if (value.isTensor()) {
    out.emplace_back(prefix, value.toTensor());
  } else if (value.isGenericDict()) {
    for (const auto& item : value.toGenericDict()) {
      TORCH_CHECK(item.key().isString(), "'", path, "': dict keys must be strings");
      const std::string key = item.key().toStringRef();
      flatten(item.value(), prefix.empty() ? key : prefix + "." + key, out, path);
    }
  }
  // Other values (numbers, strings in a checkpoint) are not tensors: skipped here.
}

}  // namespace

void saveTensors(const NamedTensors& tensors, const std::string& path) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [name, tensor] : tensors) dict.insert(name, tensor.detach().to(at::kCPU).contiguous());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  writeFileAtomically(path, {{bytes.data(), bytes.size()}});
}

NamedTensors loadTensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ioError("open", path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw std::runtime_error("'" + path + "' is not a torch.save file LibTorch can read: " +
                             e.what_without_backtrace());
  }
  NamedTensors out;
  flatten(value, "", out, path);
  TORCH_CHECK(!out.empty(), "'", path, "' holds no tensors");
  return out;
}

}  // namespace mveb::pth
