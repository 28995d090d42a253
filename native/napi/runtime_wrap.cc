#include "napi/runtime_wrap.h"

#include <ATen/Parallel.h>
#include <ATen/Context.h>

#include "memory/caching_cpu_allocator.h"
#include "napi/addon_data.h"

namespace mveb {
namespace {

// OpenMP keeps the thread count per calling thread: set it where ops run (the device
// thread) and on the main thread, which `info` reads.
Napi::Value jsSetNumThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1)
    throw Napi::TypeError::New(info.Env(), "setNumThreads: threads must be an integer >= 1");
  const int threads = info[0].As<Napi::Number>().Int32Value();
  at::set_num_threads(threads);
  return AddonData::of(info.Env()).device->submit(info.Env(), "setNumThreads", [threads] {
    at::set_num_threads(threads);
    return resolvesUndefined();
  });
}

// Seeds LibTorch's default generators (parameter initialisation), after queued work.
Napi::Value jsManualSeed(const Napi::CallbackInfo& info) {
  const double seed = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(seed >= 0) || seed != static_cast<double>(static_cast<uint64_t>(seed)))
    throw Napi::TypeError::New(info.Env(), "manualSeed: seed must be a non-negative integer");
  return AddonData::of(info.Env()).device->submit(info.Env(), "manualSeed", [seed] {
    at::manual_seed(static_cast<uint64_t>(seed));
    return resolvesUndefined();
  });
}

Napi::Value jsCpuCacheStats(const Napi::CallbackInfo& info) {
  const CpuCacheStats stats = cpuCacheStats();
  auto out = Napi::Object::New(info.Env());
  out.Set("installed", stats.installed);
  out.Set("hits", static_cast<double>(stats.hits));
  out.Set("misses", static_cast<double>(stats.misses));
  out.Set("cachedBytes", static_cast<double>(stats.cachedBytes));
  out.Set("limitBytes", static_cast<double>(stats.limitBytes));
  return out;
}

}  // namespace

void defineRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New<jsSetNumThreads>(env, "setNumThreads"));
  exports.Set("manualSeed", Napi::Function::New<jsManualSeed>(env, "manualSeed"));
  exports.Set("cpuCacheStats", Napi::Function::New<jsCpuCacheStats>(env, "cpuCacheStats"));
}

}  // namespace mveb
