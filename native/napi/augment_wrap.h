// JS bindings of the photometric augmentation (native/augment).
#pragma once

#include <napi.h>

namespace mveb {

void defineAugment(Napi::Env env, Napi::Object exports);

}  // namespace mveb
