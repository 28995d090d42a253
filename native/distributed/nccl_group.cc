#include "distributed/nccl_group.h"

#include <stdexcept>

#if defined(MVEB_WITH_NCCL)
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include "distributed/c10d_collectives.h"
#endif

namespace mveb {

#if defined(MVEB_WITH_NCCL)

bool ncclAvailable() { return true; }

std::shared_ptr<Collectives> makeNcclGroup(const ProcessGroupOptions& options) {
  checkRank(options);
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(options.cudaDevice));
  auto store = c10d_detail::connectStore(options);
  auto ncclOptions = c10d::ProcessGroupNCCL::Options::create();
  ncclOptions->timeout = options.timeout;
  auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(c10::make_intrusive<c10d::PrefixStore>("nccl/", store),
                                                           options.rank, options.worldSize, ncclOptions);
  const c10::Device device(c10::kCUDA, static_cast<c10::DeviceIndex>(options.cudaDevice));
  return std::make_shared<c10d_detail::C10dCollectives<c10d::ProcessGroupNCCL>>(store, group, options.rank,
                                                                                options.worldSize, device);
}

#else

bool ncclAvailable() { return false; }

std::shared_ptr<Collectives> makeNcclGroup(const ProcessGroupOptions&) {
  throw std::runtime_error(
      "processGroup: this build has no NCCL (it needs a CUDA LibTorch with c10d's NCCL backend, and nccl.h, "
      "when the addon is compiled)");
}

#endif

}  // namespace mveb
