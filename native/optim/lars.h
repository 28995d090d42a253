// LARS (You et al. 2017) as used by BYOL, Barlow Twins and MVEB: SGD with momentum whose
// per-tensor step is scaled by trust_coefficient · ‖w‖ / ‖g + wd·w‖. One-dimensional
// parameters (biases, norm weights) get neither weight decay nor the trust ratio.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <vector>

namespace mveb {

struct LARSOptions : public torch::optim::OptimizerCloneableOptions<LARSOptions> {
  explicit LARSOptions(double lr = 0.3) : lr_(lr) {}
  TORCH_ARG(double, lr);
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(double, weight_decay) = 1e-6;
  TORCH_ARG(double, trust_coefficient) = 0.001;
  // Leave 1-D parameters out of weight decay and adaptation.
  TORCH_ARG(bool, exclude_1d) = true;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double value) override { lr(value); }
};

struct LARSParamState : public torch::optim::OptimizerCloneableParamState<LARSParamState> {
  TORCH_ARG(at::Tensor, momentum_buffer);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class LARS : public torch::optim::Optimizer {
 public:
  LARS(std::vector<torch::optim::OptimizerParamGroup> groups, LARSOptions defaults);
  LARS(std::vector<at::Tensor> params, LARSOptions defaults);

  at::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace mveb
