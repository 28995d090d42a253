#include "models/state_dict.h"

#include <ATen/ATen.h>

#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace mveb {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::ostringstream out;
  const size_t shown = std::min<size_t>(names.size(), 8);
  for (size_t i = 0; i < shown; ++i) out << (i ? ", " : "") << names[i];
  if (names.size() > shown) out << " and " << names.size() - shown << " more";
  return out.str();
}

}  // namespace

pth::NamedTensors stateDict(const torch::nn::Module& module) {
  pth::NamedTensors out;
  for (const auto& item : module.named_modules("", /*include_self=*/true)) {
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& p : item.value()->named_parameters(/*recurse=*/false))
      out.emplace_back(prefix + p.key(), p.value());
    for (const auto& b : item.value()->named_buffers(/*recurse=*/false)) out.emplace_back(prefix + b.key(), b.value());
  }
  return out;
}

LoadReport loadStateDict(torch::nn::Module& module, const pth::NamedTensors& tensors, bool strict) {
  std::unordered_map<std::string, const at::Tensor*> given;
  for (const auto& [name, tensor] : tensors) given[name] = &tensor;
  LoadReport report;
  std::unordered_set<std::string> known;
  pth::NamedTensors own = stateDict(module);
  for (const auto& [name, tensor] : own) {
    known.insert(name);
    auto found = given.find(name);
    if (found == given.end()) {
      report.missing.push_back(name);
      continue;
    }
    TORCH_CHECK(found->second->sizes() == tensor.sizes(), "loadStateDict: '", name, "' has shape ",
                found->second->sizes(), " in the state dict but ", tensor.sizes(), " in the model");
  }
  for (const auto& [name, tensor] : tensors) {
    if (!known.count(name)) report.unexpected.push_back(name);
  }
  TORCH_CHECK(!strict || (report.missing.empty() && report.unexpected.empty()),
              "loadStateDict (strict): missing keys: [", joined(report.missing), "], unexpected keys: [",
              joined(report.unexpected), "]");
  torch::NoGradGuard noGrad;
  for (auto& [name, tensor] : own) {
    auto found = given.find(name);
    if (found != given.end()) tensor.copy_(*found->second);
  }
  return report;
}

}  // namespace mveb
