// Per-environment state of the addon (one per main thread or worker thread).
#pragma once

#include <napi.h>

#include <memory>

#include "napi/device_thread.h"

namespace mveb {

struct AddonData {
  explicit AddonData(Napi::Env env) : device(std::make_unique<DeviceThread>(env)) {}
  std::unique_ptr<DeviceThread> device;
  Napi::FunctionReference tensorConstructor;
  Napi::FunctionReference modelConstructor;
  Napi::FunctionReference processGroupConstructor;

  static AddonData& of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

}  // namespace mveb
