#include "mveb/loss.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include "distributed/gather_rows.h"

namespace mveb {
namespace {

at::Tensor meanRowDot(const at::Tensor& a, const at::Tensor& b) { return (a * b).sum(-1).mean(); }

}  // namespace

EntropyResult entropySurrogate(const at::Tensor& z, const SteinOptions& options, Collectives* group) {
  if (group == nullptr || group->worldSize() == 1) {
    SteinResult stein = steinScore(z, options);
    return {-meanRowDot(stein.score, z), stein.bandwidth};
  }
  GatheredRows all = gatherRows(*group, z.detach());
  SteinResult stein = steinScore(all.rows, options);
  return {-meanRowDot(stein.score.narrow(0, all.offset, z.size(0)), z), stein.bandwidth};
}

MvebLossResult mvebLoss(const std::vector<at::Tensor>& online, const std::vector<at::Tensor>& targets,
                        const MvebLossOptions& options) {
  TORCH_CHECK(online.size() >= 2, "mvebLoss: needs at least the 2 global views, got ", online.size());
  TORCH_CHECK(targets.empty() || targets.size() == 2,
              "mvebLoss: targets must be the 2 global views (or none for "
              "a shared target), got ",
              targets.size());
  TORCH_CHECK(options.beta >= 0, "mvebLoss: beta must be >= 0, got ", options.beta);
  for (size_t v = 0; v < online.size(); ++v) {
    TORCH_CHECK(online[v].dim() == 2 && online[v].sizes() == online[0].sizes(), "mvebLoss: view ", v, " has shape ",
                online[v].sizes(), ", expected ", online[0].sizes(), " like view 0");
  }
  for (size_t v = 0; v < targets.size(); ++v) {
    TORCH_CHECK(targets[v].sizes() == online[0].sizes(), "mvebLoss: target ", v, " has shape ", targets[v].sizes(),
                ", expected ", online[0].sizes());
  }
  const at::Tensor target1 = (targets.empty() ? online[0] : targets[0]).detach();
  const at::Tensor target2 = (targets.empty() ? online[1] : targets[1]).detach();
  const at::Tensor globalMean = online.size() > 2 ? (target1 + target2) / 2 : at::Tensor();

  const auto views = static_cast<double>(online.size());
  at::Tensor alignment = meanRowDot(online[0], target2) + meanRowDot(online[1], target1);
  std::vector<at::Tensor> bandwidths;
  at::Tensor uniformity;
  for (size_t v = 0; v < online.size(); ++v) {
    if (v >= 2) alignment = alignment + meanRowDot(online[v], globalMean);
    EntropyResult entropy = entropySurrogate(online[v], options.stein, options.steinGroup);
    uniformity = v == 0 ? entropy.value : uniformity + entropy.value;
    bandwidths.push_back(entropy.bandwidth);
  }
  alignment = alignment / views;
  uniformity = uniformity / views;
  at::Tensor loss = -alignment - options.beta * uniformity;
  return {loss, alignment, uniformity, at::stack(bandwidths)};
}

}  // namespace mveb
