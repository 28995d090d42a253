// The JS-visible native Tensor: a handle on an at::Tensor.
#pragma once

#include <ATen/Tensor.h>
#include <napi.h>

namespace mveb {

class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static void define(Napi::Env env, Napi::Object exports);
  static Napi::Object wrap(Napi::Env env, at::Tensor tensor);
  // The at::Tensor behind a JS argument; throws a TypeError naming `argument` otherwise.
  static const at::Tensor& unwrap(const Napi::Value& value, const char* argument);

  explicit TensorWrap(const Napi::CallbackInfo& info);

 private:
  static Napi::Value fromTypedArray(const Napi::CallbackInfo& info);
  static Napi::Value loadNpy(const Napi::CallbackInfo& info);
  static Napi::Value matmul(const Napi::CallbackInfo& info);
  static Napi::Value randn(const Napi::CallbackInfo& info);

  Napi::Value shape(const Napi::CallbackInfo& info);
  Napi::Value dtype(const Napi::CallbackInfo& info);
  Napi::Value device(const Napi::CallbackInfo& info);
  Napi::Value isContiguous(const Napi::CallbackInfo& info);
  Napi::Value toTypedArray(const Napi::CallbackInfo& info);
  Napi::Value to(const Napi::CallbackInfo& info);
  Napi::Value contiguous(const Napi::CallbackInfo& info);
  Napi::Value transpose(const Napi::CallbackInfo& info);
  Napi::Value saveNpy(const Napi::CallbackInfo& info);

  at::Tensor tensor_;
};

}  // namespace mveb
