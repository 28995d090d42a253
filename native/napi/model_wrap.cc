#include "napi/model_wrap.h"

#include <ATen/ATen.h>

#include <cmath>

#include "models/state_dict.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/errors.h"
#include "napi/named_tensors.h"
#include "napi/tensor_wrap.h"

namespace mveb {
namespace {

ModelOptions modelOptions(const Napi::Object& js) {
  const std::string where = "createModel";
  ModelOptions options;
  // The lists (default first) are the only place these names are known in C++.
  options.arch = args::choice<Architecture>(js, "arch",
                                            {{"resnet50", Architecture::ResNet50},
                                             {"resnet18", Architecture::ResNet18},
                                             {"resnet34", Architecture::ResNet34},
                                             {"resnet101", Architecture::ResNet101},
                                             {"vit_small_16", Architecture::ViTSmall16},
                                             {"vit_base_16", Architecture::ViTBase16}},
                                            where);
  options.target =
      args::choice<TargetKind>(js, "target", {{"ema", TargetKind::Ema}, {"shared", TargetKind::Shared}}, where);
  options.imageSize = static_cast<int64_t>(args::number(js, "imageSize", options.imageSize, where));
  options.precision = args::choice<ForwardPrecision>(js, "precision",
                                                     {{"auto", ForwardPrecision::Auto},
                                                      {"fp32", ForwardPrecision::Fp32},
                                                      {"fp16", ForwardPrecision::Fp16},
                                                      {"bf16", ForwardPrecision::Bf16}},
                                                     where);
  Napi::Value channelsLast = js.Get("channelsLast");
  if (channelsLast.IsBoolean()) {
    options.channelsLast = channelsLast.As<Napi::Boolean>().Value() ? ChannelsLast::On : ChannelsLast::Off;
  } else {
    options.channelsLast = args::choice<ChannelsLast>(
        js, "channelsLast", {{"auto", ChannelsLast::Auto}, {"on", ChannelsLast::On}, {"off", ChannelsLast::Off}},
        where);
  }
  for (const char* flag : {"smallStem", "zeroInitResidual"}) {
    Napi::Value value = js.Get(flag);
    if (value.IsUndefined()) continue;
    if (!value.IsBoolean()) throw Napi::TypeError::New(js.Env(), where + ": options." + flag + " must be a boolean");
    (std::string(flag) == "smallStem" ? options.smallStem : options.zeroInitResidual) = value.As<Napi::Boolean>();
  }
  Napi::Value projector = js.Get("projector");
  if (projector.IsObject()) {
    auto p = projector.As<Napi::Object>();
    options.projector.hidden = static_cast<int64_t>(args::number(p, "hidden", options.projector.hidden, where));
    options.projector.out = static_cast<int64_t>(args::number(p, "out", options.projector.out, where));
  }
  return options;
}

}  // namespace

void ModelWrap::define(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "NativeModel",
                                    {
                                        InstanceMethod<&ModelWrap::embed>("embed"),
                                        InstanceMethod<&ModelWrap::targetEmbed>("targetEmbed"),
                                        InstanceMethod<&ModelWrap::backboneFeatures>("backboneFeatures"),
                                        InstanceMethod<&ModelWrap::forwardBackward>("forwardBackward"),
                                        InstanceMethod<&ModelWrap::stateDict>("stateDict"),
                                        InstanceMethod<&ModelWrap::loadStateDict>("loadStateDict"),
                                        InstanceMethod<&ModelWrap::setTraining>("setTraining"),
                                        InstanceMethod<&ModelWrap::updateTarget>("updateTarget"),
                                        InstanceMethod<&ModelWrap::to>("to"),
                                        InstanceMethod<&ModelWrap::parameterCount>("parameterCount"),
                                        InstanceAccessor<&ModelWrap::featureDim>("featureDim"),
                                    });
  AddonData::of(env).modelConstructor = Napi::Persistent(ctor);
  exports.Set("NativeModel", ctor);
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  ModelOptions options = modelOptions(args::options(info, 0, "createModel"));
  try {
    model_ = SiameseModel(options);
  } catch (const c10::Error& e) {
    // The domain checks the option values: a bad value is a RangeError, as in the optimisers.
    throw Napi::RangeError::New(info.Env(), prefixed("createModel", e.what_without_backtrace()));
  }
}

SiameseModel ModelWrap::unwrapModel(const Napi::Value& value, const char* argument) {
  Napi::Env env = value.Env();
  Napi::FunctionReference& ctor = AddonData::of(env).modelConstructor;
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(ctor.Value()))
    throw Napi::TypeError::New(env, std::string(argument) + " must be a Model");
  return Unwrap(value.As<Napi::Object>())->model_;
}

torch::nn::Module& ModelWrap::part(const std::string& name) {
  if (name == "model") return *model_;
  if (name == "online") return *model_->online();
  if (name == "backbone") return model_->online()->backbone();
  if (name == "projector") return *model_->online()->projector();
  throw std::invalid_argument("unknown model part '" + name + "' (model, online, backbone, projector)");
}

Napi::Value ModelWrap::embed(const Napi::CallbackInfo& info) {
  auto views = args::tensors(info[0], "embed", "views");
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "embed", [model, views]() mutable {
    std::vector<at::Tensor> out;
    for (const auto& z : model->embed(views)) out.push_back(z.detach());
    return JsResultBuilder([out](Napi::Env env) -> Napi::Value { return args::tensorArray(env, out); });
  });
}

Napi::Value ModelWrap::targetEmbed(const Napi::CallbackInfo& info) {
  auto views = args::tensors(info[0], "targetEmbed", "views");
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "targetEmbed", [model, views]() mutable {
    std::vector<at::Tensor> out = model->targetEmbed(views);
    return JsResultBuilder([out](Napi::Env env) -> Napi::Value { return args::tensorArray(env, out); });
  });
}

Napi::Value ModelWrap::backboneFeatures(const Napi::CallbackInfo& info) {
  at::Tensor images = TensorWrap::unwrap(info[0], "backboneFeatures: images");
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "backboneFeatures", [model, images]() mutable {
    torch::NoGradGuard noGrad;
    at::Tensor features = model->backboneFeatures(images);
    return JsResultBuilder([features](Napi::Env env) -> Napi::Value { return TensorWrap::wrap(env, features); });
  });
}

Napi::Value ModelWrap::forwardBackward(const Napi::CallbackInfo& info) {
  at::Tensor images = TensorWrap::unwrap(info[0], "forwardBackward: images");
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "forwardBackward", [model, images]() mutable {
    auto& backbone = model->online()->backbone();
    at::Tensor loss = model->backboneFeatures(images).pow(2).mean();
    loss.backward();
    const double value = loss.item<double>();
    double gradNorm = 0;
    for (auto& p : backbone.parameters()) {
      if (p.grad().defined()) {
        gradNorm += p.grad().pow(2).sum().item<double>();
        p.mutable_grad() = at::Tensor();
      }
    }
    return JsResultBuilder([value, gradNorm](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("loss", value);
      out.Set("gradNorm", std::sqrt(gradNorm));
      return out;
    });
  });
}

Napi::Value ModelWrap::stateDict(const Napi::CallbackInfo& info) {
  const std::string which = args::string(args::options(info, 0, "stateDict"), "part", "model", "stateDict");
  torch::nn::Module* module = &part(which);
  auto model = model_;  // keeps `module` alive
  return AddonData::of(info.Env()).device->submit(info.Env(), "stateDict", [model, module] {
    pth::NamedTensors tensors;
    for (auto& [name, tensor] : mveb::stateDict(*module)) tensors.emplace_back(name, tensor.detach().clone());
    return JsResultBuilder([tensors](Napi::Env env) -> Napi::Value { return namedTensorsToJs(env, tensors); });
  });
}

Napi::Value ModelWrap::loadStateDict(const Napi::CallbackInfo& info) {
  pth::NamedTensors tensors = namedTensorsFromJs(info[0], "loadStateDict");
  Napi::Object options = args::options(info, 1, "loadStateDict");
  const std::string which = args::string(options, "part", "model", "loadStateDict");
  Napi::Value strictValue = options.Get("strict");
  const bool strict = strictValue.IsBoolean() ? strictValue.As<Napi::Boolean>().Value() : true;
  torch::nn::Module* module = &part(which);
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "loadStateDict", [model, module, tensors, strict] {
    LoadReport report = mveb::loadStateDict(*module, tensors, strict);
    return JsResultBuilder([report](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      auto list = [&](const std::vector<std::string>& names) {
        auto array = Napi::Array::New(env, names.size());
        for (size_t i = 0; i < names.size(); ++i) array.Set(i, names[i]);
        return array;
      };
      out.Set("missing", list(report.missing));
      out.Set("unexpected", list(report.unexpected));
      return out;
    });
  });
}

Napi::Value ModelWrap::setTraining(const Napi::CallbackInfo& info) {
  const bool training = info.Length() > 0 && info[0].ToBoolean();
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "train", [model, training]() mutable {
    model->train(training);
    return resolvesUndefined();
  });
}

Napi::Value ModelWrap::updateTarget(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber())
    throw Napi::TypeError::New(info.Env(), "updateTarget: momentum must be a number");
  const double momentum = info[0].As<Napi::Number>().DoubleValue();
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "updateTarget", [model, momentum]() mutable {
    model->updateTarget(momentum);
    return resolvesUndefined();
  });
}

Napi::Value ModelWrap::to(const Napi::CallbackInfo& info) {
  const std::string device = args::requiredString(info, 0, "to", "device");
  auto model = model_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "to('" + device + "')", [model, device]() mutable {
    model->to(at::Device(device));
    return resolvesUndefined();
  });
}

Napi::Value ModelWrap::parameterCount(const Napi::CallbackInfo& info) {
  const std::string which = args::string(args::options(info, 0, "parameterCount"), "part", "model", "parameterCount");
  int64_t count = 0;
  for (const auto& p : part(which).parameters()) count += p.numel();
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

Napi::Value ModelWrap::featureDim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(model_->online()->backbone().featureDim()));
}

}  // namespace mveb
