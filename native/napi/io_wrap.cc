#include "napi/io_wrap.h"

#include "io/pth.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/ivalue_from_js.h"
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

// saveCheckpoint(path, value): any JS tree of dicts, lists, numbers, strings and Tensors,
// as a file torch.load reads; written atomically.
Napi::Value jsSaveCheckpoint(const Napi::CallbackInfo& info) {
  const std::string path = args::requiredString(info, 0, "saveCheckpoint", "path");
  c10::IValue value = ivalueFromJs(info[1], "saveCheckpoint: value");
  return AddonData::of(info.Env()).device->submit(info.Env(), "saveCheckpoint", [path, value] {
    pth::saveValue(value, path);
    return resolvesUndefined();
  });
}

}  // namespace

void defineIo(Napi::Env env, Napi::Object exports) {
  auto io = Napi::Object::New(env);
  io.Set("savePth", Napi::Function::New<jsSavePth>(env, "savePth"));
  io.Set("saveCheckpoint", Napi::Function::New<jsSaveCheckpoint>(env, "saveCheckpoint"));
  exports.Set("io", io);
}

}  // namespace mveb
