#include "napi/process_group_wrap.h"

#include <ATen/ATen.h>

#include <chrono>
#include <vector>

#include "distributed/gloo_group.h"
#include "distributed/nccl_group.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/model_wrap.h"

namespace mveb {
namespace {

using Holder = std::shared_ptr<Collectives>;

// connect({ backend: 'gloo' | 'nccl', rank, worldSize, masterAddr, masterPort, agentStore, storePrefix,
//           timeoutMs, joinTimeoutMs, interface, cudaDevice }) → Promise<NativeProcessGroup>
Napi::Value jsConnect(const Napi::CallbackInfo& info) {
  const std::string where = "processGroup";
  Napi::Object o = args::options(info, 0, where);
  ProcessGroupOptions options;
  options.rank = static_cast<int>(args::number(o, "rank", -1, where));
  options.worldSize = static_cast<int>(args::number(o, "worldSize", -1, where));
  options.masterAddr = args::string(o, "masterAddr", options.masterAddr, where);
  options.masterPort = static_cast<int>(args::number(o, "masterPort", options.masterPort, where));
  options.storePrefix = args::string(o, "storePrefix", "", where);
  options.interface = args::string(o, "interface", "", where);
  options.cudaDevice = static_cast<int>(args::number(o, "cudaDevice", 0, where));
  const bool nccl = args::choice<bool>(o, "backend", {{"gloo", false}, {"nccl", true}}, where);
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(args::number(o, "timeoutMs", 30000, where)));
  options.joinTimeout =
      std::chrono::milliseconds(static_cast<int64_t>(args::number(o, "joinTimeoutMs", 300000, where)));
  Napi::Value agent = o.Get("agentStore");
  options.agentStore = agent.IsBoolean() && agent.As<Napi::Boolean>().Value();
  if (options.worldSize < 1 || options.rank < 0 || options.rank >= options.worldSize)
    throw Napi::RangeError::New(info.Env(), where + ": rank " + std::to_string(options.rank) +
                                                " must be in [0, worldSize " + std::to_string(options.worldSize) + ")");
  if (options.masterPort < 1 || options.masterPort > 65535)
    throw Napi::RangeError::New(info.Env(),
                                where + ": masterPort must be in 1..65535, got " + std::to_string(options.masterPort));
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [options, nccl] {
    auto group = std::make_shared<Holder>(nccl ? makeNcclGroup(options) : makeGlooGroup(options));
    return JsResultBuilder([group](Napi::Env env) -> Napi::Value {
      return AddonData::of(env).processGroupConstructor.New({Napi::External<Holder>::New(env, group.get())});
    });
  });
}

Napi::Value jsBackends(const Napi::CallbackInfo& info) {
  auto backends = Napi::Array::New(info.Env());
  if (glooAvailable()) backends.Set(backends.Length(), "gloo");
  if (ncclAvailable()) backends.Set(backends.Length(), "nccl");
  return backends;
}

}  // namespace

void ProcessGroupWrap::define(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "NativeProcessGroup",
                                    {
                                        InstanceAccessor<&ProcessGroupWrap::rank>("rank"),
                                        InstanceAccessor<&ProcessGroupWrap::worldSize>("worldSize"),
                                        InstanceMethod<&ProcessGroupWrap::sum>("sum"),
                                        InstanceMethod<&ProcessGroupWrap::barrier>("barrier"),
                                        InstanceMethod<&ProcessGroupWrap::broadcastModel>("broadcastModel"),
                                        InstanceMethod<&ProcessGroupWrap::broadcastTensors>("broadcastTensors"),
                                        InstanceMethod<&ProcessGroupWrap::replicaDrift>("replicaDrift"),
                                    });
  AddonData::of(env).processGroupConstructor = Napi::Persistent(ctor);
  auto distributed = Napi::Object::New(env);
  distributed.Set("connect", Napi::Function::New<jsConnect>(env, "connect"));
  distributed.Set("backends", Napi::Function::New<jsBackends>(env, "backends"));
  distributed.Set("NativeProcessGroup", ctor);
  exports.Set("distributed", distributed);
}

ProcessGroupWrap::ProcessGroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessGroupWrap>(info) {
  if (info.Length() < 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "NativeProcessGroup: create it with distributed.connect(options)");
  group_ = *info[0].As<Napi::External<Holder>>().Data();
}

std::shared_ptr<Collectives> ProcessGroupWrap::unwrapGroup(const Napi::Value& value, const char* argument) {
  Napi::Env env = value.Env();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(AddonData::of(env).processGroupConstructor.Value()))
    throw Napi::TypeError::New(env, std::string(argument) + " must be a NativeProcessGroup");
  return Unwrap(value.As<Napi::Object>())->group_;
}

Napi::Value ProcessGroupWrap::rank(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), group_->rank());
}

Napi::Value ProcessGroupWrap::worldSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), group_->worldSize());
}

// sum(values: number[]) → Promise<number[]>: each value summed over ranks (float64), e.g. how
// many ranks ask to stop, or to skip the coming step.
Napi::Value ProcessGroupWrap::sum(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "sum: values must be an array");
  auto array = info[0].As<Napi::Array>();
  std::vector<double> values;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value v = array.Get(i);
    if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "sum: values must be numbers");
    values.push_back(v.As<Napi::Number>().DoubleValue());
  }
  auto group = group_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "sum", [group, values] {
    at::Tensor t = at::tensor(values, at::kDouble).to(group->device());
    group->allReduceSum(t);
    const at::Tensor summed = t.cpu();
    std::vector<double> out(summed.data_ptr<double>(), summed.data_ptr<double>() + summed.numel());
    return JsResultBuilder([out](Napi::Env env) -> Napi::Value {
      auto result = Napi::Array::New(env, out.size());
      for (size_t i = 0; i < out.size(); ++i) result.Set(i, out[i]);
      return result;
    });
  });
}

// barrier(timeoutMs) → Promise<void>: waits for every rank, as long as the caller allows (a
// rank evaluating or checkpointing keeps the others here longer than a collective's timeout).
Napi::Value ProcessGroupWrap::barrier(const Napi::CallbackInfo& info) {
  const double timeoutMs = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(timeoutMs > 0)) throw Napi::TypeError::New(info.Env(), "barrier: timeoutMs must be a number > 0");
  auto group = group_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "barrier", [group, timeoutMs] {
    group->barrier(std::chrono::milliseconds(static_cast<int64_t>(timeoutMs)));
    return resolvesUndefined();
  });
}

// broadcastModel(model) → Promise<void>: rank 0's parameters and buffers (both branches) to all.
Napi::Value ProcessGroupWrap::broadcastModel(const Napi::CallbackInfo& info) {
  SiameseModel model = ModelWrap::unwrapModel(info[0], "broadcastModel: model");
  auto group = group_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "broadcastModel", [group, model] {
    at::NoGradGuard noGrad;
    auto send = [&group](at::Tensor tensor) {
      at::Tensor contiguous = tensor.contiguous();  // Gloo needs it; channels-last weights are not
      group->broadcast(contiguous, 0);
      if (!contiguous.is_same(tensor)) tensor.copy_(contiguous);
    };
    for (const auto& tensor : model->parameters()) send(tensor);
    for (const auto& tensor : model->buffers()) send(tensor);
    return resolvesUndefined();
  });
}

// broadcastTensors(tensors) → Promise<void>: rank 0's values into each tensor on every rank, in
// place (same shapes and dtypes on every rank): the state a resumed run's rank 0 alone read.
Napi::Value ProcessGroupWrap::broadcastTensors(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> tensors = args::tensors(info[0], "broadcastTensors", "tensors");
  auto group = group_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "broadcastTensors", [group, tensors] {
    at::NoGradGuard noGrad;
    for (at::Tensor tensor : tensors) {
      // NCCL broadcasts on its GPU: the tensor goes there and back when it lives elsewhere.
      at::Tensor sent = tensor.to(group->device()).contiguous();
      group->broadcast(sent, 0);
      if (!sent.is_same(tensor)) tensor.copy_(sent);
    }
    return resolvesUndefined();
  });
}

// replicaDrift(model) → Promise<number>: how far the replicas have drifted apart — the largest
// difference, over ranks, of a per-tensor sum (float64) of every parameter and buffer (both
// branches) from rank 0's. Every rank applies the same averaged step, so it is 0 exactly.
Napi::Value ProcessGroupWrap::replicaDrift(const Napi::CallbackInfo& info) {
  SiameseModel model = ModelWrap::unwrapModel(info[0], "replicaDrift: model");
  auto group = group_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "replicaDrift", [group, model] {
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> sums;
    for (const auto& tensor : model->parameters()) sums.push_back(tensor.detach().to(at::kDouble).sum());
    for (const auto& tensor : model->buffers()) sums.push_back(tensor.detach().to(at::kDouble).sum());
    const at::Tensor mine = at::stack(sums).to(group->device());
    const at::Tensor all = group->allGather(mine).view({group->worldSize(), mine.numel()});
    const double drift = (all - all[0]).abs().max().cpu().item<double>();
    return JsResultBuilder([drift](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, drift); });
  });
}

}  // namespace mveb
