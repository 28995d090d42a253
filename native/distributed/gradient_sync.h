// Data-parallel gradient averaging, written here rather than with c10d::Reducer (whose
// constructor changes between LibTorch versions): parameters in buckets (the first ~1 MiB, then
// ~25 MiB, in reverse registration order, as DDP), each bucket's all-reduce started during
// backward as soon as its last gradient arrives, buckets started in index order on every rank,
// all waited for and averaged before the optimiser step.
#pragma once

#include <ATen/Tensor.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "distributed/collectives.h"

namespace mveb {

struct BucketSizes {
  size_t firstBytes = size_t{1} << 20;
  size_t capBytes = size_t{25} << 20;
};

// Indices into `params`, per bucket: reverse order, the first bucket small so that
// communication starts early in backward.
std::vector<std::vector<size_t>> assignBuckets(const std::vector<at::Tensor>& params, const BucketSizes& sizes);

class GradientSync {
 public:
  GradientSync(std::vector<at::Tensor> params, std::shared_ptr<Collectives> group, BucketSizes sizes = {});
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  // Before backward: gradients that arrive from now on are bucketed and sent.
  void prepare();
  // After backward: sends the buckets not yet sent (a parameter without a gradient counts as
  // zeros), waits for all, and sets every parameter's grad to the mean over ranks.
  void finish();
  // After a failed backward: forget this step (the run is ending; peers see the failure).
  void abandon() { active_ = false; }

  size_t bucketCount() const { return buckets_.size(); }
  // Seconds finish() spent waiting for communication that backward did not hide (last step).
  double exposedSeconds() const { return exposedSeconds_; }

 private:
  struct Bucket {
    std::vector<size_t> params;
    std::vector<int64_t> offsets;
    at::Tensor flat;
    size_t pending = 0;
    std::unique_ptr<PendingCollective> work;
  };
  void onGradient(size_t param, const at::Tensor& grad);
  void launchReady();

  std::vector<at::Tensor> params_;
  std::shared_ptr<Collectives> group_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucketOf_;
  std::vector<size_t> slotOf_;
  std::vector<bool> arrived_;
  size_t nextToLaunch_ = 0;
  bool active_ = false;
  double exposedSeconds_ = 0;
  // Shared with the hooks, so that a hook outliving this object does nothing.
  std::shared_ptr<GradientSync*> self_;
};

}  // namespace mveb
