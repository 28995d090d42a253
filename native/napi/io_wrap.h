// JS bindings of file formats PyTorch reads: torch.save (.pth) dicts of tensors.
#pragma once

#include <napi.h>

namespace mveb {

void defineIo(Napi::Env env, Napi::Object exports);

}  // namespace mveb
