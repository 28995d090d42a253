#include "distributed/gloo_group.h"

#include <stdexcept>
#include <string>

#if defined(MVEB_WITH_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include "distributed/c10d_collectives.h"
#endif

namespace mveb {

void checkRank(const ProcessGroupOptions& options) {
  if (options.worldSize < 1 || options.rank < 0 || options.rank >= options.worldSize) {
    throw std::invalid_argument("processGroup: rank " + std::to_string(options.rank) + " is outside world size " +
                                std::to_string(options.worldSize));
  }
}

#if defined(MVEB_WITH_GLOO)

bool glooAvailable() { return true; }

std::shared_ptr<Collectives> makeGlooGroup(const ProcessGroupOptions& options) {
  checkRank(options);
  auto store = c10d_detail::connectStore(options);
  auto glooOptions = c10d::ProcessGroupGloo::Options::create(options.timeout);
  const std::string& master = options.masterAddr;
  const bool loopback = master == "localhost" || master.rfind("127.", 0) == 0 || master == "::1";
  if (!options.interface.empty()) {
    glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(options.interface));
  } else if (loopback) {
    glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo/", store),
                                                           options.rank, options.worldSize, glooOptions);
  return std::make_shared<c10d_detail::C10dCollectives<c10d::ProcessGroupGloo>>(
      store, group, options.rank, options.worldSize, c10::Device(c10::kCPU));
}

#else

bool glooAvailable() { return false; }

std::shared_ptr<Collectives> makeGlooGroup(const ProcessGroupOptions&) {
  throw std::runtime_error(
      "processGroup: this build has no Gloo (c10d's Gloo headers were not found when it was compiled; "
      "Debian/Ubuntu: apt-get install libgloo-dev, then rebuild)");
}

#endif

}  // namespace mveb
