// Build and runtime facts for `mveb-torch info`.
#pragma once

#include <napi.h>

namespace mveb {

Napi::Value buildInfo(const Napi::CallbackInfo& info);

}  // namespace mveb
