#include "optim/state_archive.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace mveb {
namespace {

std::string groupKey(size_t index) { return "mveb_param_group_options/" + std::to_string(index); }

}  // namespace

void saveOptimizer(const torch::optim::Optimizer& optimizer, const std::string& path) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  const auto& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    torch::serialize::OutputArchive options(archive.compilation_unit());
    groups[i].options().serialize(options);
    archive.write(groupKey(i), options);
  }
  archive.save_to(path);
}

void loadOptimizer(torch::optim::Optimizer& optimizer, const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  optimizer.load(archive);
  auto& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    torch::serialize::InputArchive options;
    TORCH_CHECK(archive.try_read(groupKey(i), options), "loadState: '", path, "' has no options for parameter group ",
                i, " (not written by saveState?)");
    groups[i].options().serialize(options);
  }
}

}  // namespace mveb
