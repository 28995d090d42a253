// An NCCL process group for CUDA tensors, one GPU per process (NCCL refuses two ranks on one
// GPU), with the store conventions of gloo_group.h.
#pragma once

#include <memory>

#include "distributed/collectives.h"
#include "distributed/gloo_group.h"

namespace mveb {

// Whether this build has NCCL (a CUDA LibTorch with c10d's NCCL backend and nccl.h found).
bool ncclAvailable();

// Blocks until every rank has joined or the timeout passes; binds this thread to options.cudaDevice.
std::shared_ptr<Collectives> makeNcclGroup(const ProcessGroupOptions& options);

}  // namespace mveb
