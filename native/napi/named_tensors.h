// Ordered {name: Tensor} objects across the boundary (state dicts).
#pragma once

#include <napi.h>

#include <string>

#include "io/pth.h"

namespace mveb {

Napi::Object namedTensorsToJs(Napi::Env env, const pth::NamedTensors& tensors);
pth::NamedTensors namedTensorsFromJs(const Napi::Value& value, const std::string& where);

}  // namespace mveb
