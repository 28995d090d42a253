#include "napi/io_wrap.h"

#include "io/pth.h"
#include "napi/addon_data.h"
#include "napi/named_tensors.h"

namespace mveb {
namespace {

std::string pathArgument(const Napi::CallbackInfo& info, const char* where) {
  if (info.Length() < 1 || !info[0].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(where) + ": path must be a string");
  return info[0].As<Napi::String>().Utf8Value();
}

Napi::Value jsSavePth(const Napi::CallbackInfo& info) {
  const std::string path = pathArgument(info, "savePth");
  pth::NamedTensors tensors = namedTensorsFromJs(info[1], "savePth");
  return AddonData::of(info.Env()).device->submit(info.Env(), "savePth", [path, tensors] {
    pth::saveTensors(tensors, path);
    return JsResultBuilder([](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  });
}

}  // namespace

void defineIo(Napi::Env env, Napi::Object exports) {
  auto io = Napi::Object::New(env);
  io.Set("savePth", Napi::Function::New<jsSavePth>(env, "savePth"));
  exports.Set("io", io);
}

}  // namespace mveb
