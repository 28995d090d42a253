// The JS-visible training core: a model, its optimiser over the online branch and the
// loss scaler; one Promise per training step.
#pragma once

#include <napi.h>
#include <torch/optim/optimizer.h>

#include <memory>

#include "models/siamese.h"
#include "train/loss_scaler.h"
#include "train/train_step.h"

namespace mveb {

class TrainerWrap : public Napi::ObjectWrap<TrainerWrap> {
 public:
  static void define(Napi::Env env, Napi::Object exports);
  explicit TrainerWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value step(const Napi::CallbackInfo& info);
  Napi::Value momentumBuffers(const Napi::CallbackInfo& info);
  Napi::Value loadMomentumBuffers(const Napi::CallbackInfo& info);
  Napi::Value scalerState(const Napi::CallbackInfo& info);
  Napi::Value loadScaler(const Napi::CallbackInfo& info);
  Napi::Value resetState(const Napi::CallbackInfo& info);

  // Shared with device-thread work, which may outlive a collected JS wrapper.
  struct State {
    SiameseModel model{nullptr};
    std::shared_ptr<torch::optim::Optimizer> optimizer;
    std::vector<at::Tensor> params;  // the online branch's, in state-dict order
    LossScaler scaler;
    // Data-parallel runs only: the group, gradient buckets, and the Stein scope.
    std::unique_ptr<DataParallel> parallel;
    bool globalStein = true;
  };
  std::shared_ptr<State> state_;
};

}  // namespace mveb
