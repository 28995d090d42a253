#include "napi/trainer_wrap.h"

#include <ATen/ATen.h>

#include "models/batch_norm.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/model_wrap.h"
#include "napi/optimizer_wrap.h"
#include "napi/process_group_wrap.h"
#include "napi/tensor_wrap.h"
#include "optim/param_state.h"
#include "train/train_step.h"

namespace mveb {

void TrainerWrap::define(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeTrainer", DefineClass(env, "NativeTrainer",
                                           {
                                               InstanceMethod<&TrainerWrap::step>("step"),
                                               InstanceMethod<&TrainerWrap::momentumBuffers>("momentumBuffers"),
                                               InstanceMethod<&TrainerWrap::loadMomentumBuffers>("loadMomentumBuffers"),
                                               InstanceMethod<&TrainerWrap::scalerState>("scalerState"),
                                               InstanceMethod<&TrainerWrap::loadScaler>("loadScaler"),
                                               InstanceMethod<&TrainerWrap::resetState>("resetState"),
                                           }));
}

// new NativeTrainer(model, { optimizer: 'lars' | 'sgd', lr, momentum, weightDecay, trustCoefficient, lossScaling,
//                           processGroup?, syncBn = true, steinScope: 'global' | 'local', bucketFirstBytes,
//                           bucketCapBytes })
TrainerWrap::TrainerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrainerWrap>(info) {
  const std::string where = "Trainer";
  state_ = std::make_shared<State>();
  state_->model = ModelWrap::unwrapModel(info[0], "Trainer: model");
  Napi::Object options = args::options(info, 1, where);
  state_->params = state_->model->online()->parameters();
  const std::string kind = args::string(options, "optimizer", "lars", where);
  try {
    state_->optimizer = makeOptimizer(kind, state_->params, options);
  } catch (const c10::Error& e) {
    throw Napi::RangeError::New(info.Env(), e.what_without_backtrace());
  }
  Napi::Value lossScaling = options.Get("lossScaling");
  state_->scaler.enabled = lossScaling.IsBoolean() && lossScaling.As<Napi::Boolean>().Value();
  Napi::Value group = options.Get("processGroup");
  if (!group.IsUndefined() && !group.IsNull()) {
    auto collectives = ProcessGroupWrap::unwrapGroup(group, "Trainer: options.processGroup");
    state_->globalStein = args::choice<bool>(options, "steinScope", {{"global", true}, {"local", false}}, where);
    BucketSizes sizes;
    sizes.firstBytes = static_cast<size_t>(args::number(options, "bucketFirstBytes", sizes.firstBytes, where));
    sizes.capBytes = static_cast<size_t>(args::number(options, "bucketCapBytes", sizes.capBytes, where));
    Napi::Value syncBn = options.Get("syncBn");
    if (!(syncBn.IsBoolean() && !syncBn.As<Napi::Boolean>().Value())) setSyncBatchNorm(*state_->model, collectives);
    state_->parallel = std::make_unique<DataParallel>();
    state_->parallel->group = collectives;
    state_->parallel->gradients = std::make_unique<GradientSync>(state_->params, collectives, sizes);
  }
}

// step(views, { lr, emaMomentum, beta }) → Promise<stats>
Napi::Value TrainerWrap::step(const Napi::CallbackInfo& info) {
  const std::string where = "trainStep";
  std::vector<at::Tensor> views = args::tensors(info[0], where, "views");
  Napi::Object options = args::options(info, 1, where);
  TrainStepOptions stepOptions;
  stepOptions.lr = args::number(options, "lr", -1, where);
  if (!(stepOptions.lr >= 0)) throw Napi::TypeError::New(info.Env(), where + ": options.lr must be a number >= 0");
  stepOptions.emaMomentum = args::number(options, "emaMomentum", stepOptions.emaMomentum, where);
  stepOptions.loss.beta = args::number(options, "beta", stepOptions.loss.beta, where);
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [state, views, stepOptions]() mutable {
    DataParallel* parallel = state->parallel.get();
    if (parallel && state->globalStein) stepOptions.loss.steinGroup = parallel->group.get();
    TrainStepStats stats = trainStep(state->model, *state->optimizer, state->scaler, views, stepOptions, parallel);
    return JsResultBuilder([stats](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("loss", stats.loss);
      out.Set("alignment", stats.alignment);
      out.Set("uniformity", stats.uniformity);
      auto bandwidths = Napi::Array::New(env, stats.bandwidths.size());
      for (size_t i = 0; i < stats.bandwidths.size(); ++i) bandwidths.Set(i, stats.bandwidths[i]);
      out.Set("bandwidths", bandwidths);
      out.Set("gradNorm", stats.gradNorm);
      out.Set("skipped", stats.skipped);
      out.Set("lossScale", stats.lossScale);
      out.Set("seconds", stats.seconds);
      out.Set("exposedCommunicationSeconds", stats.exposedCommunicationSeconds);
      return out;
    });
  });
}

// Per online parameter (state-dict order): its momentum buffer, or null before the first step.
Napi::Value TrainerWrap::momentumBuffers(const Napi::CallbackInfo& info) {
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "momentumBuffers", [state] {
    std::vector<at::Tensor> buffers;
    for (const auto& p : state->params) {
      at::Tensor buffer = momentumBuffer(*state->optimizer, p);
      buffers.push_back(buffer.defined() ? buffer.detach().to(at::kCPU).clone() : buffer);
    }
    return JsResultBuilder([buffers](Napi::Env env) -> Napi::Value {
      auto array = Napi::Array::New(env, buffers.size());
      for (size_t i = 0; i < buffers.size(); ++i)
        array.Set(i, buffers[i].defined() ? Napi::Value(TensorWrap::wrap(env, buffers[i])) : env.Null());
      return array;
    });
  });
}

Napi::Value TrainerWrap::loadMomentumBuffers(const Napi::CallbackInfo& info) {
  const std::string where = "loadMomentumBuffers";
  if (!info[0].IsArray()) throw Napi::TypeError::New(info.Env(), where + ": buffers must be an array");
  auto array = info[0].As<Napi::Array>();
  if (array.Length() != state_->params.size())
    throw Napi::RangeError::New(info.Env(), where + ": " + std::to_string(array.Length()) + " buffers for " +
                                                std::to_string(state_->params.size()) + " parameters");
  std::vector<at::Tensor> buffers;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    buffers.push_back(item.IsNull() || item.IsUndefined() ? at::Tensor() : TensorWrap::unwrap(item, "buffer"));
  }
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [state, buffers] {
    for (size_t i = 0; i < buffers.size(); ++i)
      if (buffers[i].defined()) setMomentumBuffer(*state->optimizer, state->params[i], buffers[i]);
    return resolvesUndefined();
  });
}

// The scaler is read and written on the device thread, in order with the steps that update it.
Napi::Value TrainerWrap::scalerState(const Napi::CallbackInfo& info) {
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "scalerState", [state] {
    const LossScaler scaler = state->scaler;
    return JsResultBuilder([scaler](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("enabled", scaler.enabled);
      out.Set("scale", scaler.scale);
      out.Set("growthTracker", static_cast<double>(scaler.growthTracker));
      return out;
    });
  });
}

// loadScaler({ scale, growthTracker }) → Promise<void>
Napi::Value TrainerWrap::loadScaler(const Napi::CallbackInfo& info) {
  const std::string where = "loadScaler";
  Napi::Object o = args::options(info, 0, where);
  const double scale = args::number(o, "scale", -1, where);
  if (!(scale > 0)) throw Napi::RangeError::New(info.Env(), where + ": scale must be a number > 0");
  const auto growthTracker = static_cast<int64_t>(args::number(o, "growthTracker", 0, where));
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [state, scale, growthTracker] {
    state->scaler.scale = scale;
    state->scaler.growthTracker = growthTracker;
    return resolvesUndefined();
  });
}

// resetState() → Promise<void>: the optimiser and the loss scaler as before their first step (the
// steps a time budget times are thrown away; the optimiser's state must not remember them).
Napi::Value TrainerWrap::resetState(const Napi::CallbackInfo& info) {
  auto state = state_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "resetState", [state] {
    state->optimizer->state().clear();
    state->scaler = LossScaler{state->scaler.enabled};
    return resolvesUndefined();
  });
}

}  // namespace mveb
