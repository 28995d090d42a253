#include "napi/named_tensors.h"

#include "napi/tensor_wrap.h"

namespace mveb {

Napi::Object namedTensorsToJs(Napi::Env env, const pth::NamedTensors& tensors) {
  auto out = Napi::Object::New(env);
  for (const auto& [name, tensor] : tensors) out.Set(name, TensorWrap::wrap(env, tensor));
  return out;
}

pth::NamedTensors namedTensorsFromJs(const Napi::Value& value, const std::string& where) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), where + ": expected an object of Tensors");
  auto object = value.As<Napi::Object>();
  auto names = object.GetPropertyNames();
  pth::NamedTensors out;
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    const std::string argument = where + ": '" + name + "'";
    out.emplace_back(name, TensorWrap::unwrap(object.Get(name), argument.c_str()));
  }
  return out;
}

}  // namespace mveb
