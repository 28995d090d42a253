#include "napi/info_wrap.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/cuda.h>

#include <string>

#include "torch_compat.h"
#ifdef MVEB_WITH_CUDA
#include "cuda/device_query.h"
#endif

namespace mveb {
namespace {

Napi::Array cudaDevices(Napi::Env env) {
  auto devices = Napi::Array::New(env);
#ifdef MVEB_WITH_CUDA
  const int count = mveb_cuda_device_count();
  for (int i = 0; i < count; ++i) {
    MvebCudaDeviceInfo facts{};
    char error[256] = {0};
    auto device = Napi::Object::New(env);
    device.Set("index", i);
    if (mveb_cuda_device_info(i, &facts, error, sizeof(error)) != 0) {
      device.Set("error", error);
    } else {
      device.Set("name", facts.name);
      device.Set("totalMemoryBytes", static_cast<double>(facts.totalMemory));
      device.Set("freeMemoryBytes", static_cast<double>(facts.freeMemory));
      device.Set("computeCapability", std::to_string(facts.computeMajor) + "." + std::to_string(facts.computeMinor));
      device.Set("multiprocessors", facts.multiprocessors);
    }
    devices.Set(static_cast<uint32_t>(i), device);
  }
#endif
  return devices;
}

}  // namespace

Napi::Value buildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto result = Napi::Object::New(env);
  result.Set("libtorchVersion", TORCH_VERSION);
  result.Set("buildFlavour", MVEB_BUILD_FLAVOUR);
#ifdef MVEB_WITH_CUDA
  result.Set("cudaCompiled", true);
  result.Set("cudaRuntimeVersion", mveb_cuda_runtime_version());
#else
  result.Set("cudaCompiled", false);
#endif
  result.Set("cudaAvailable", torch::cuda::is_available());
  result.Set("cudaDevices", cudaDevices(env));
  result.Set("cxx11Abi", _GLIBCXX_USE_CXX11_ABI == 1);
  auto threads = Napi::Object::New(env);
  threads.Set("intraOp", at::get_num_threads());
  threads.Set("interOp", at::get_num_interop_threads());
  result.Set("threads", threads);
  result.Set("torchConfig", at::show_config());
  return result;
}

}  // namespace mveb
