#include "models/batch_norm.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <cstdint>
#include <vector>

namespace mveb {
namespace {

std::vector<int64_t> reducedDims(const at::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

// [C] → broadcastable against x ([1, C] or [1, C, 1, 1]).
at::Tensor perChannel(const at::Tensor& values, const at::Tensor& x) {
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = values.size(0);
  return values.view(shape);
}

class SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight,
                            const at::Tensor& bias, at::Tensor runningMean, at::Tensor runningVar, double momentum,
                            double eps, int64_t groupAddress) {
    auto* group = reinterpret_cast<Collectives*>(groupAddress);
    const at::Tensor x = input.contiguous();
    const auto dims = reducedDims(x);
    const int64_t channels = x.size(1);
    const double localCount = static_cast<double>(x.numel() / channels);
    // One all-reduce: [Σx (C), Σx² (C), count].
    at::Tensor stats = at::cat({at::sum(x, dims, false, at::kDouble), at::sum(x * x, dims, false, at::kDouble),
                                at::full({1}, localCount, x.options().dtype(at::kDouble))});
    group->allReduceSum(stats);
    const double count = stats[2 * channels].item<double>();
    TORCH_CHECK(count > 1, "SyncBatchNorm: expected more than 1 value per channel over all ranks, got ", count);
    const at::Tensor mean = stats.narrow(0, 0, channels) / count;
    const at::Tensor var = (stats.narrow(0, channels, channels) / count - mean * mean).clamp_min(0);
    const at::Tensor invstd = (var + eps).rsqrt();
    {
      at::NoGradGuard noGrad;
      runningMean.mul_(1 - momentum).add_(mean.to(runningMean.scalar_type()), momentum);
      runningVar.mul_(1 - momentum).add_((var * (count / (count - 1))).to(runningVar.scalar_type()), momentum);
    }
    const at::Tensor meanX = perChannel(mean.to(x.scalar_type()), x);
    const at::Tensor invstdX = perChannel(invstd.to(x.scalar_type()), x);
    at::Tensor y = (x - meanX) * invstdX;
    if (weight.defined()) y = y * perChannel(weight, x) + perChannel(bias, x);
    ctx->save_for_backward({x, weight, meanX, invstdX});
    ctx->saved_data["group"] = groupAddress;
    ctx->saved_data["count"] = count;
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list gradOutputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& mean = saved[2];
    const at::Tensor& invstd = saved[3];
    auto* group = reinterpret_cast<Collectives*>(ctx->saved_data["group"].toInt());
    const double count = ctx->saved_data["count"].toDouble();
    const at::Tensor dy = gradOutputs[0].contiguous();
    const auto dims = reducedDims(x);
    const int64_t channels = x.size(1);

    const at::Tensor xmu = x - mean;
    const at::Tensor localSumDy = at::sum(dy, dims, false, at::kDouble);
    const at::Tensor localSumDyXmu = at::sum(dy * xmu, dims, false, at::kDouble);
    at::Tensor gradWeight, gradBias;
    if (weight.defined()) {
      gradWeight = (localSumDyXmu * invstd.reshape({-1}).to(at::kDouble)).to(weight.scalar_type());
      gradBias = localSumDy.to(weight.scalar_type());
    }
    at::Tensor sums = at::cat({localSumDy, localSumDyXmu});
    group->allReduceSum(sums);
    const at::Tensor sumDy = perChannel((sums.narrow(0, 0, channels) / count).to(x.scalar_type()), x);
    const at::Tensor sumDyXmu = perChannel((sums.narrow(0, channels, channels) / count).to(x.scalar_type()), x);
    at::Tensor dx = (dy - sumDy - xmu * invstd * invstd * sumDyXmu) * invstd;
    if (weight.defined()) dx = dx * perChannel(weight, x);
    return {dx, gradWeight, gradBias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

BatchNormImpl::BatchNormImpl(int64_t features, double eps, double momentum) : eps_(eps), momentum_(momentum) {
  weight = register_parameter("weight", at::ones({features}));
  bias = register_parameter("bias", at::zeros({features}));
  running_mean = register_buffer("running_mean", at::zeros({features}));
  running_var = register_buffer("running_var", at::ones({features}));
  num_batches_tracked = register_buffer("num_batches_tracked", at::zeros({}, at::kLong));
}

at::Tensor BatchNormImpl::forward(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 || x.dim() == 4, "BatchNorm: expected [N, C] or [N, C, H, W], got ", x.sizes());
  if (is_training()) {
    at::NoGradGuard noGrad;
    num_batches_tracked.add_(1);
  }
  // A group of one runs the same arithmetic (and a one-rank GPU job checks it against
  // at::batch_norm of a run without a group).
  if (is_training() && group_) {
    return syncBatchNorm(x, weight, bias, running_mean, running_var, momentum_, eps_, *group_);
  }
  return at::batch_norm(x, weight, bias, running_mean, running_var, is_training(), momentum_, eps_,
                        /*cudnn_enabled=*/true);
}

at::Tensor syncBatchNorm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& runningMean,
                         at::Tensor& runningVar, double momentum, double eps, Collectives& group) {
  // The group outlives the step (a module holds it); autograd keeps only its address.
  return SyncBatchNormFunction::apply(x, weight, bias, runningMean, runningVar, momentum, eps,
                                      reinterpret_cast<int64_t>(&group));
}

void setSyncBatchNorm(torch::nn::Module& root, const std::shared_ptr<Collectives>& group) {
  for (const auto& module : root.modules(/*include_self=*/true)) {
    if (auto* norm = module->as<BatchNormImpl>()) norm->setSyncGroup(group);
  }
}

}  // namespace mveb
