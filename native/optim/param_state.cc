#include "optim/param_state.h"

#include <torch/optim/sgd.h>

#include <memory>
#include <stdexcept>

#include "optim/lars.h"
#include "torch_compat.h"

namespace mveb {

at::Tensor momentumBuffer(torch::optim::Optimizer& optimizer, const at::Tensor& param) {
  auto& state = optimizer.state();
  auto found = state.find(compat::optimizerStateKey(state, param));
  if (found == state.end()) return {};
  if (auto* lars = dynamic_cast<LARSParamState*>(found->second.get())) return lars->momentum_buffer();
  if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(found->second.get())) return sgd->momentum_buffer();
  return {};
}

void setMomentumBuffer(torch::optim::Optimizer& optimizer, const at::Tensor& param, const at::Tensor& buffer) {
  if (buffer.sizes() != param.sizes())
    throw std::invalid_argument("momentum buffer shape does not match its parameter");
  const at::Tensor copy = buffer.detach().to(param.options()).clone();
  auto& state = optimizer.state();
  const auto key = compat::optimizerStateKey(state, param);
  if (dynamic_cast<LARS*>(&optimizer)) {
    auto s = std::make_unique<LARSParamState>();
    s->momentum_buffer(copy);
    state[key] = std::move(s);
  } else if (dynamic_cast<torch::optim::SGD*>(&optimizer)) {
    auto s = std::make_unique<torch::optim::SGDParamState>();
    s->momentum_buffer(copy);
    state[key] = std::move(s);
  } else {
    throw std::invalid_argument("setMomentumBuffer: not a LARS or SGD optimiser");
  }
}

}  // namespace mveb
