// JS bindings of experiments that reproduce claims of the paper.
#pragma once

#include <napi.h>

namespace mveb {

void defineExperiments(Napi::Env env, Napi::Object exports);

}  // namespace mveb
