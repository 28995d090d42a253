// Process-wide LibTorch settings: intra-op threads, the CPU block cache.
#pragma once

#include <napi.h>

namespace mveb {

void defineRuntime(Napi::Env env, Napi::Object exports);

}  // namespace mveb
