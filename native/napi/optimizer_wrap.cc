#include "napi/optimizer_wrap.h"

#include <torch/optim/sgd.h>

#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/tensor_wrap.h"
#include "optim/lars.h"
#include "optim/param_state.h"
#include "optim/state_archive.h"

namespace mveb {

std::shared_ptr<torch::optim::Optimizer> makeOptimizer(const std::string& kind, std::vector<at::Tensor> params,
                                                       const Napi::Object& options) {
  const std::string where = "optim." + std::string(kind == "lars" ? "LARS" : "SGD");
  if (kind == "lars") {
    LARSOptions defaults(args::number(options, "lr", 0.3, where));
    defaults.momentum(args::number(options, "momentum", defaults.momentum(), where))
        .weight_decay(args::number(options, "weightDecay", defaults.weight_decay(), where))
        .trust_coefficient(args::number(options, "trustCoefficient", defaults.trust_coefficient(), where));
    return std::make_shared<LARS>(std::move(params), defaults);
  }
  if (kind == "sgd") {
    torch::optim::SGDOptions defaults(args::number(options, "lr", 0.05, where));
    defaults.momentum(args::number(options, "momentum", 0.9, where))
        .weight_decay(args::number(options, "weightDecay", 1e-4, where));
    return std::make_shared<torch::optim::SGD>(std::move(params), defaults);
  }
  throw Napi::TypeError::New(options.Env(), "optimizer kind must be 'lars' or 'sgd', got '" + kind + "'");
}

void OptimizerWrap::define(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeOptimizer", DefineClass(env, "NativeOptimizer",
                                             {
                                                 InstanceMethod<&OptimizerWrap::step>("step"),
                                                 InstanceMethod<&OptimizerWrap::momentumBuffers>("momentumBuffers"),
                                                 InstanceAccessor<&OptimizerWrap::lr>("lr"),
                                                 InstanceMethod<&OptimizerWrap::saveState>("saveState"),
                                                 InstanceMethod<&OptimizerWrap::loadState>("loadState"),
                                             }));
}

OptimizerWrap::OptimizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OptimizerWrap>(info) {
  if (info.Length() < 2 || !info[0].IsString())
    throw Napi::TypeError::New(info.Env(), "NativeOptimizer(kind, params, options)");
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  params_ = args::tensors(info[1], "optimizer", "params");
  if (params_.empty()) throw Napi::TypeError::New(info.Env(), "optimizer: params must not be empty");
  try {
    optimizer_ = makeOptimizer(kind, params_, args::options(info, 2, "optimizer"));
  } catch (const c10::Error& e) {
    throw Napi::RangeError::New(info.Env(), e.what_without_backtrace());
  }
}

Napi::Value OptimizerWrap::step(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> grads = args::tensors(info[0], "step", "grads");
  if (grads.size() != params_.size()) {
    throw Napi::TypeError::New(info.Env(), "step: " + std::to_string(grads.size()) + " gradients for " +
                                               std::to_string(params_.size()) + " parameters");
  }
  Napi::Object options = args::options(info, 1, "step");
  const double lr = args::number(options, "lr", -1, "step");
  auto optimizer = optimizer_;
  auto params = params_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "step", [optimizer, params, grads, lr] {
    for (size_t i = 0; i < params.size(); ++i) {
      TORCH_CHECK(grads[i].sizes() == params[i].sizes(), "gradient ", i, " has shape ", grads[i].sizes(),
                  " but its parameter has shape ", params[i].sizes());
      params[i].mutable_grad() = grads[i].to(params[i].options());
    }
    if (lr >= 0) {
      for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
    }
    optimizer->step();
    for (auto& p : params) p.mutable_grad() = at::Tensor();
    return resolvesUndefined();
  });
}

Napi::Value OptimizerWrap::momentumBuffers(const Napi::CallbackInfo& info) {
  auto optimizer = optimizer_;
  auto params = params_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "momentumBuffers", [optimizer, params] {
    std::vector<at::Tensor> buffers;
    for (const auto& p : params) {
      at::Tensor buffer = momentumBuffer(*optimizer, p);
      buffers.push_back(buffer.defined() ? buffer.clone() : buffer);
    }
    return JsResultBuilder([buffers](Napi::Env env) -> Napi::Value {
      auto array = Napi::Array::New(env, buffers.size());
      for (size_t i = 0; i < buffers.size(); ++i)
        array.Set(i, buffers[i].defined() ? Napi::Value(TensorWrap::wrap(env, buffers[i])) : env.Null());
      return array;
    });
  });
}

Napi::Value OptimizerWrap::lr(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), optimizer_->param_groups().at(0).options().get_lr());
}

Napi::Value OptimizerWrap::saveState(const Napi::CallbackInfo& info) {
  const std::string path = args::requiredString(info, 0, "saveState", "path");
  auto optimizer = optimizer_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "saveState", [optimizer, path] {
    saveOptimizer(*optimizer, path);
    return resolvesUndefined();
  });
}

Napi::Value OptimizerWrap::loadState(const Napi::CallbackInfo& info) {
  const std::string path = args::requiredString(info, 0, "loadState", "path");
  auto optimizer = optimizer_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "loadState", [optimizer, path] {
    loadOptimizer(*optimizer, path);
    return resolvesUndefined();
  });
}

}  // namespace mveb
