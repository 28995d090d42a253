// JS bindings of the evaluation and monitoring ops (native/eval).
#pragma once

#include <napi.h>

namespace mveb {

void defineEval(Napi::Env env, Napi::Object exports);

}  // namespace mveb
