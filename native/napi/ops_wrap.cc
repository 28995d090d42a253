#include "napi/ops_wrap.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <string>
#include <vector>

#include "mveb/ema.h"
#include "mveb/loss.h"
#include "mveb/stein.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/tensor_wrap.h"

namespace mveb {
namespace {

SteinOptions steinOptions(const Napi::Object& options, const std::string& where) {
  SteinOptions stein;
  stein.eta = args::number(options, "eta", stein.eta, where);
  stein.minBandwidth = args::number(options, "minBandwidth", stein.minBandwidth, where);
  stein.solver = args::choice<SteinSolver>(
      options, "solver", {{"cholesky", SteinSolver::Cholesky}, {"inverse", SteinSolver::Inverse}}, where);
  stein.precision = args::choice<SteinPrecision>(
      options, "precision", {{"float64", SteinPrecision::Float64}, {"input", SteinPrecision::Input}}, where);
  stein.implementation = args::choice<SteinImplementation>(
      options, "implementation",
      {{"auto", SteinImplementation::Auto}, {"fused", SteinImplementation::Fused}, {"aten", SteinImplementation::Aten}},
      where);
  return stein;
}

bool wantsGrad(const Napi::Object& options) {
  Napi::Value grad = options.Get("grad");
  return grad.IsBoolean() && grad.As<Napi::Boolean>().Value();
}

// Leaf copies that record gradients, so the caller's tensors are never touched.
std::vector<at::Tensor> gradLeaves(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> leaves;
  for (const auto& t : tensors) leaves.push_back(t.detach().clone().requires_grad_(true));
  return leaves;
}

// NaN or ±Inf rows would make every score NaN without a word; the trainer's step has its own
// non-finite skip and does not come through here.
void requireFinite(const std::vector<at::Tensor>& tensors, const std::string& what) {
  for (const auto& t : tensors) {
    TORCH_CHECK(!at::isFloatingType(t.scalar_type()) || at::isfinite(t).all().item<bool>(), what,
                " NaN or infinite values");
  }
}

Napi::Value jsSteinScore(const Napi::CallbackInfo& info) {
  at::Tensor z = TensorWrap::unwrap(info[0], "steinScore: z");
  SteinOptions options = steinOptions(args::options(info, 1, "steinScore"), "steinScore");
  return AddonData::of(info.Env()).device->submit(info.Env(), "steinScore", [z, options] {
    requireFinite({z}, "z holds");
    SteinResult result = steinScore(z, options);
    const double bandwidth = result.bandwidth.item<double>();
    return JsResultBuilder([score = result.score, bandwidth](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("score", TensorWrap::wrap(env, score));
      out.Set("bandwidth", bandwidth);
      return out;
    });
  });
}

Napi::Value jsEntropySurrogate(const Napi::CallbackInfo& info) {
  at::Tensor z = TensorWrap::unwrap(info[0], "entropySurrogate: z");
  Napi::Object jsOptions = args::options(info, 1, "entropySurrogate");
  SteinOptions options = steinOptions(jsOptions, "entropySurrogate");
  const bool grad = wantsGrad(jsOptions);
  return AddonData::of(info.Env()).device->submit(info.Env(), "entropySurrogate", [z, options, grad] {
    requireFinite({z}, "z holds");
    std::vector<at::Tensor> leaves = gradLeaves({z});
    EntropyResult result = entropySurrogate(leaves[0], options);
    at::Tensor gradient = grad ? torch::autograd::grad({result.value}, leaves)[0] : at::Tensor();
    const double value = result.value.item<double>();
    const double bandwidth = result.bandwidth.item<double>();
    return JsResultBuilder([value, bandwidth, gradient](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("value", value);
      out.Set("bandwidth", bandwidth);
      if (gradient.defined()) out.Set("grad", TensorWrap::wrap(env, gradient));
      return out;
    });
  });
}

Napi::Value jsMvebLoss(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> online = args::tensors(info[0], "mvebLoss", "online");
  std::vector<at::Tensor> targets;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined())
    targets = args::tensors(info[1], "mvebLoss", "targets");
  Napi::Object jsOptions = args::options(info, 2, "mvebLoss");
  MvebLossOptions options;
  options.beta = args::number(jsOptions, "beta", options.beta, "mvebLoss");
  options.stein = steinOptions(jsOptions, "mvebLoss");
  const bool grad = wantsGrad(jsOptions);
  return AddonData::of(info.Env()).device->submit(info.Env(), "mvebLoss", [online, targets, options, grad] {
    requireFinite(online, "online views hold");
    requireFinite(targets, "targets hold");
    std::vector<at::Tensor> leaves = gradLeaves(online);
    MvebLossResult result = mvebLoss(leaves, targets, options);
    std::vector<at::Tensor> grads = grad ? torch::autograd::grad({result.loss}, leaves) : std::vector<at::Tensor>();
    const double loss = result.loss.item<double>();
    const double alignment = result.alignment.item<double>();
    const double uniformity = result.uniformity.item<double>();
    at::Tensor bandwidths = result.bandwidths.to(at::kCPU, at::kDouble).contiguous();
    std::vector<double> bandwidthValues(bandwidths.data_ptr<double>(),
                                        bandwidths.data_ptr<double>() + bandwidths.numel());
    return JsResultBuilder([=](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("loss", loss);
      out.Set("alignment", alignment);
      out.Set("uniformity", uniformity);
      auto bw = Napi::Array::New(env, bandwidthValues.size());
      for (size_t i = 0; i < bandwidthValues.size(); ++i) bw.Set(i, bandwidthValues[i]);
      out.Set("bandwidths", bw);
      if (grad) out.Set("grads", args::tensorArray(env, grads));
      return out;
    });
  });
}

Napi::Value jsEmaUpdate(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> target = args::tensors(info[0], "emaUpdate", "target");
  std::vector<at::Tensor> online = args::tensors(info[1], "emaUpdate", "online");
  if (info.Length() < 3 || !info[2].IsNumber())
    throw Napi::TypeError::New(info.Env(), "emaUpdate: momentum must be a number");
  const double momentum = info[2].As<Napi::Number>().DoubleValue();
  return AddonData::of(info.Env()).device->submit(info.Env(), "emaUpdate", [target, online, momentum] {
    emaUpdate(target, online, momentum);
    return resolvesUndefined();
  });
}

}  // namespace

void defineOps(Napi::Env env, Napi::Object exports) {
  auto ops = Napi::Object::New(env);
  ops.Set("steinScore", Napi::Function::New<jsSteinScore>(env, "steinScore"));
  ops.Set("entropySurrogate", Napi::Function::New<jsEntropySurrogate>(env, "entropySurrogate"));
  ops.Set("mvebLoss", Napi::Function::New<jsMvebLoss>(env, "mvebLoss"));
  ops.Set("emaUpdate", Napi::Function::New<jsEmaUpdate>(env, "emaUpdate"));
  exports.Set("ops", ops);
}

}  // namespace mveb
