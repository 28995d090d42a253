#include "optim/lars.h"

#include <ATen/ATen.h>
#include <torch/optim/serialize.h>

#include "torch_compat.h"

namespace mveb {

void LARSOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, trust_coefficient);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, exclude_1d);
}

void LARSOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(trust_coefficient);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exclude_1d);
}

void LARSParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(at::Tensor, momentum_buffer);
}

void LARSParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_buffer);
}

LARS::LARS(std::vector<torch::optim::OptimizerParamGroup> groups, LARSOptions defaults)
    : torch::optim::Optimizer(std::move(groups), std::make_unique<LARSOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "LARS: lr must be >= 0, got ", defaults.lr());
  TORCH_CHECK(defaults.momentum() >= 0, "LARS: momentum must be >= 0, got ", defaults.momentum());
  TORCH_CHECK(defaults.weight_decay() >= 0, "LARS: weight_decay must be >= 0, got ", defaults.weight_decay());
  TORCH_CHECK(defaults.trust_coefficient() > 0, "LARS: trust_coefficient must be > 0, got ",
              defaults.trust_coefficient());
}

LARS::LARS(std::vector<at::Tensor> params, LARSOptions defaults)
    : LARS({torch::optim::OptimizerParamGroup(std::move(params))}, defaults) {}

at::Tensor LARS::step(LossClosure closure) {
  at::NoGradGuard noGrad;
  at::Tensor loss;
  if (closure) {
    at::AutoGradMode enable(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const LARSOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      at::Tensor update = p.grad();
      if (!(options.exclude_1d() && p.dim() <= 1)) {
        if (options.weight_decay() != 0) update = update.add(p, options.weight_decay());
        // Trust ratio; 1 when either norm is zero, so a zero parameter or gradient gives no NaN.
        at::Tensor paramNorm = p.norm();
        at::Tensor updateNorm = update.norm();
        at::Tensor one = at::ones_like(paramNorm);
        at::Tensor ratio = at::where(
            paramNorm > 0, at::where(updateNorm > 0, options.trust_coefficient() * paramNorm / updateNorm, one), one);
        update = update * ratio;
      }
      auto key = compat::optimizerStateKey(state_, p);
      auto found = state_.find(key);
      if (found == state_.end()) {
        auto fresh = std::make_unique<LARSParamState>();
        fresh->momentum_buffer(update.clone());
        found = state_.emplace(key, std::move(fresh)).first;
      } else {
        static_cast<LARSParamState&>(*found->second).momentum_buffer().mul_(options.momentum()).add_(update);
      }
      p.add_(static_cast<LARSParamState&>(*found->second).momentum_buffer(), -options.lr());
    }
  }
  return loss;
}

void LARS::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LARSParamState, LARSOptions>(archive, *this);
}

void LARS::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LARSParamState, LARSOptions>(archive, *this);
}

}  // namespace mveb
