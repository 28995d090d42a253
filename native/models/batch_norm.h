// BatchNorm over dim 1 of [N, C] or [N, C, H, W], with torch.nn.BatchNorm's names, defaults and
// running-statistics rule, that becomes SyncBatchNorm while training once given a process group:
// batch statistics over the global batch, forward and backward.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>

#include "distributed/collectives.h"

namespace mveb {

class BatchNormImpl : public torch::nn::Module {
 public:
  explicit BatchNormImpl(int64_t features, double eps = 1e-5, double momentum = 0.1);
  at::Tensor forward(const at::Tensor& x);
  // nullptr: plain batch norm. The module keeps the group alive.
  void setSyncGroup(std::shared_ptr<Collectives> group) { group_ = std::move(group); }

  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  double eps_;
  double momentum_;
  std::shared_ptr<Collectives> group_;
};
TORCH_MODULE(BatchNorm);

// Every BatchNorm under `root` synchronises over `group` (nullptr: none does).
void setSyncBatchNorm(torch::nn::Module& root, const std::shared_ptr<Collectives>& group);

// The SyncBatchNorm arithmetic on any device, by torch's SyncBatchNorm algorithm: the per-rank
// sums Σx, Σx² and counts are all-reduced (in float64) for the forward; Σdy and Σdy·(x−μ) for
// the backward. Weight and bias gradients stay local (gradient averaging sums them).
at::Tensor syncBatchNorm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& runningMean,
                         at::Tensor& runningVar, double momentum, double eps, Collectives& group);

}  // namespace mveb
