// The collective operations data-parallel training needs, as a domain interface that knows
// nothing of c10d's class layout (which changes between LibTorch 1.13 and 2.x): gradient
// sync, SyncBN and the global Stein score depend on this, and gloo_group.cc implements it.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <chrono>
#include <memory>

namespace mveb {

// An operation in flight; wait() rethrows its failure (a dead peer, a timeout).
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual void wait() = 0;
};

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual int rank() const = 0;
  virtual int worldSize() const = 0;
  // Where the tensors it reduces must live: CPU for Gloo here, this rank's GPU for NCCL.
  virtual c10::Device device() const = 0;
  // In place, summed over ranks; started now, finished by wait().
  virtual std::unique_ptr<PendingCollective> allReduceSumAsync(at::Tensor& tensor) = 0;
  void allReduceSum(at::Tensor& tensor) { allReduceSumAsync(tensor)->wait(); }
  // Every rank's `local` (same shape on all ranks), concatenated along dim 0 in rank order.
  virtual at::Tensor allGather(const at::Tensor& local) = 0;
  virtual void broadcast(at::Tensor& tensor, int root) = 0;
  // `timeout` longer than the group's: a rank may wait here while rank 0 evaluates.
  virtual void barrier(std::chrono::milliseconds timeout) = 0;
};

}  // namespace mveb
