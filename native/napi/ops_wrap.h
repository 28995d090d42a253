// JS bindings of the MVEB operations (Stein score, entropy surrogate, loss, EMA update).
#pragma once

#include <napi.h>

namespace mveb {

void defineOps(Napi::Env env, Napi::Object exports);

}  // namespace mveb
