// The JS-visible optimiser: LARS (ours) or SGD (LibTorch's) over Tensors, stepped with
// gradients passed in explicitly, on the device thread.
#pragma once

#include <napi.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

namespace mveb {

// LARS or SGD over `params` from JS options (lr, momentum, weightDecay, trustCoefficient).
std::shared_ptr<torch::optim::Optimizer> makeOptimizer(const std::string& kind, std::vector<at::Tensor> params,
                                                       const Napi::Object& options);

class OptimizerWrap : public Napi::ObjectWrap<OptimizerWrap> {
 public:
  static void define(Napi::Env env, Napi::Object exports);
  explicit OptimizerWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value step(const Napi::CallbackInfo& info);
  Napi::Value momentumBuffers(const Napi::CallbackInfo& info);
  Napi::Value lr(const Napi::CallbackInfo& info);
  Napi::Value saveState(const Napi::CallbackInfo& info);
  Napi::Value loadState(const Napi::CallbackInfo& info);

  // Shared with device-thread work, which may outlive a collected JS wrapper.
  std::shared_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<at::Tensor> params_;
};

}  // namespace mveb
