#include "train/train_step.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace mveb {
namespace {

// BN running statistics change during the forward pass; a skipped step must not keep a
// NaN batch's statistics.
std::vector<at::Tensor> snapshotBuffers(torch::nn::Module& module) {
  std::vector<at::Tensor> saved;
  for (const auto& buffer : module.buffers()) saved.push_back(buffer.detach().clone());
  return saved;
}

void restoreBuffers(torch::nn::Module& module, const std::vector<at::Tensor>& saved) {
  torch::NoGradGuard noGrad;
  auto buffers = module.buffers();
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
}

}  // namespace

TrainStepStats trainStep(SiameseModel& model, torch::optim::Optimizer& optimizer, LossScaler& scaler,
                         const std::vector<at::Tensor>& views, const TrainStepOptions& options,
                         DataParallel* parallel) {
  const auto started = std::chrono::steady_clock::now();
  if (views.size() < 2) throw std::invalid_argument("trainStep: needs at least the 2 global views");
  const std::vector<at::Tensor> saved = snapshotBuffers(*model);
  optimizer.zero_grad();

  std::vector<at::Tensor> online = model->embed(views);
  std::vector<at::Tensor> targets;
  if (model->hasEmaTarget()) targets = model->targetEmbed({views[0], views[1]});
  MvebLossResult result = mvebLoss(online, targets, options.loss);
  if (parallel) {
    parallel->gradients->prepare();
    try {
      (result.loss * scaler.factor()).backward();
    } catch (...) {
      parallel->gradients->abandon();
      throw;
    }
    parallel->gradients->finish();
  } else {
    (result.loss * scaler.factor()).backward();
  }

  // Unscale, then one reduction for the norm: a single device sync for the check.
  std::vector<at::Tensor> squares;
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (scaler.enabled) p.mutable_grad().div_(scaler.scale);
      squares.push_back(p.grad().detach().to(at::kFloat).pow(2).sum());
    }
  }
  const at::Tensor normSquared = squares.empty() ? at::zeros({}) : at::stack(squares).sum();
  at::Tensor summary = at::stack({result.loss.detach().to(at::kDouble), result.alignment.detach().to(at::kDouble),
                                  result.uniformity.detach().to(at::kDouble), normSquared.to(at::kDouble).sqrt()})
                           .cpu();
  if (parallel) {
    // The loss terms of this rank's rows; their mean over ranks is the global batch's. Reduced
    // where the group reduces (NCCL: on the GPU).
    at::Tensor terms = summary.narrow(0, 0, 3).to(parallel->group->device()).contiguous();
    parallel->group->allReduceSum(terms);
    summary.narrow(0, 0, 3).copy_((terms / parallel->group->worldSize()).cpu());
  }
  const double* values = summary.data_ptr<double>();

  TrainStepStats stats;
  stats.loss = values[0];
  stats.alignment = values[1];
  stats.uniformity = values[2];
  stats.gradNorm = values[3];
  const at::Tensor bandwidths = result.bandwidths.detach().to(at::kCPU, at::kDouble).contiguous();
  stats.bandwidths.assign(bandwidths.data_ptr<double>(), bandwidths.data_ptr<double>() + bandwidths.numel());
  stats.lossScale = scaler.factor();
  stats.skipped = !std::isfinite(stats.loss) || !std::isfinite(stats.gradNorm);
  scaler.update(!stats.skipped);
  if (stats.skipped) {
    optimizer.zero_grad();
    restoreBuffers(*model, saved);
  } else {
    for (auto& group : optimizer.param_groups()) group.options().set_lr(options.lr);
    optimizer.step();
    model->updateTarget(options.emaMomentum);
  }
  if (parallel) stats.exposedCommunicationSeconds = parallel->gradients->exposedSeconds();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace mveb
