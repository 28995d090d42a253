#include "napi/args.h"

#include <cmath>

#include "napi/tensor_wrap.h"

namespace mveb::args {

double number(const Napi::Object& options, const char* key, double fallback, const std::string& where) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber() || !std::isfinite(value.As<Napi::Number>().DoubleValue()))
    throw Napi::TypeError::New(options.Env(), where + ": options." + key + " must be a finite number");
  return value.As<Napi::Number>().DoubleValue();
}

std::vector<double> numbers(const Napi::Object& options, const char* key, const std::vector<double>& fallback,
                            const std::string& where) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  const std::string message = where + ": options." + key + " must be an array of finite numbers";
  if (!value.IsArray()) throw Napi::TypeError::New(options.Env(), message);
  Napi::Array array = value.As<Napi::Array>();
  std::vector<double> out;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber() || !std::isfinite(item.As<Napi::Number>().DoubleValue()))
      throw Napi::TypeError::New(options.Env(), message);
    out.push_back(item.As<Napi::Number>().DoubleValue());
  }
  return out;
}

std::string string(const Napi::Object& options, const char* key, const std::string& fallback,
                   const std::string& where) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsString()) throw Napi::TypeError::New(options.Env(), where + ": options." + key + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

std::string requiredString(const Napi::CallbackInfo& info, size_t index, const std::string& where, const char* name) {
  if (info.Length() <= index || !info[index].IsString())
    throw Napi::TypeError::New(info.Env(), where + ": " + name + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

Napi::Object options(const Napi::CallbackInfo& info, size_t index, const std::string& where) {
  if (info.Length() <= index || info[index].IsUndefined()) return Napi::Object::New(info.Env());
  if (!info[index].IsObject()) throw Napi::TypeError::New(info.Env(), where + ": options must be an object");
  return info[index].As<Napi::Object>();
}

std::vector<at::Tensor> tensors(const Napi::Value& value, const std::string& where, const char* name) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), where + ": " + name + " must be an array of Tensors");
  auto array = value.As<Napi::Array>();
  std::vector<at::Tensor> result;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string item = where + ": " + name + "[" + std::to_string(i) + "]";
    result.push_back(TensorWrap::unwrap(array.Get(i), item.c_str()));
  }
  return result;
}

Napi::Array tensorArray(Napi::Env env, const std::vector<at::Tensor>& tensors) {
  auto array = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) array.Set(i, TensorWrap::wrap(env, tensors[i]));
  return array;
}

}  // namespace mveb::args
