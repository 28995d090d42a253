#include "napi/io_wrap.h"

#include "io/pth.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/named_tensors.h"

namespace mveb {
namespace {

Napi::Value jsSavePth(const Napi::CallbackInfo& info) {
  const std::string path = args::requiredString(info, 0, "savePth", "path");
  pth::NamedTensors tensors = namedTensorsFromJs(info[1], "savePth");
  return AddonData::of(info.Env()).device->submit(info.Env(), "savePth", [path, tensors] {
    pth::saveTensors(tensors, path);
    return resolvesUndefined();
  });
}

}  // namespace

void defineIo(Napi::Env env, Napi::Object exports) {
  auto io = Napi::Object::New(env);
  io.Set("savePth", Napi::Function::New<jsSavePth>(env, "savePth"));
  exports.Set("io", io);
}

}  // namespace mveb
