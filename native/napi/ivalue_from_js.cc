#include "napi/ivalue_from_js.h"

#include <ATen/ATen.h>

#include <cmath>

#include "napi/addon_data.h"
#include "napi/tensor_wrap.h"

namespace mveb {

c10::IValue ivalueFromJs(const Napi::Value& value, const std::string& where) {
  Napi::Env env = value.Env();
  if (value.IsNull() || value.IsUndefined()) return c10::IValue();
  if (value.IsBoolean()) return c10::IValue(value.As<Napi::Boolean>().Value());
  if (value.IsString()) return c10::IValue(value.As<Napi::String>().Utf8Value());
  if (value.IsNumber()) {
    const double number = value.As<Napi::Number>().DoubleValue();
    if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) <= 9007199254740991.0)
      return c10::IValue(static_cast<int64_t>(number));
    return c10::IValue(number);
  }
  if (value.IsArray()) {
    auto array = value.As<Napi::Array>();
    c10::impl::GenericList list(c10::AnyType::get());
    for (uint32_t i = 0; i < array.Length(); ++i)
      list.push_back(ivalueFromJs(array.Get(i), where + "[" + std::to_string(i) + "]"));
    return c10::IValue(list);
  }
  if (value.IsObject()) {
    auto object = value.As<Napi::Object>();
    if (object.InstanceOf(AddonData::of(env).tensorConstructor.Value()))
      return c10::IValue(TensorWrap::unwrap(value, where.c_str()).detach().to(at::kCPU).contiguous());
    c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
    Napi::Array keys = object.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
      dict.insert(key, ivalueFromJs(object.Get(key), where + "." + key));
    }
    return c10::IValue(dict);
  }
  throw Napi::TypeError::New(
      env, where + " cannot be saved: only objects, arrays, numbers, strings, booleans, null and Tensors can");
}

}  // namespace mveb
