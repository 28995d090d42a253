#include "napi/tensor_wrap.h"

#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

#include "dtypes.h"
#include "io/npy_tensor.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/errors.h"
#include "torch_compat.h"

namespace mveb {
namespace {

Napi::TypeError typeError(Napi::Env env, const std::string& message) { return Napi::TypeError::New(env, message); }

std::vector<int64_t> shapeArgument(const Napi::Value& value, const char* where) {
  const std::string prefix = std::string(where) + ": shape ";
  if (!value.IsArray()) throw typeError(value.Env(), prefix + "must be an array of non-negative integers");
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    double d = item.IsNumber() ? item.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d)))
      throw typeError(value.Env(), prefix + "entry " + std::to_string(i) + " is not a non-negative integer");
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

std::string shapeText(at::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

c10::ScalarType scalarTypeOf(napi_typedarray_type type, Napi::Env env) {
  switch (type) {
    case napi_float32_array:
      return c10::ScalarType::Float;
    case napi_float64_array:
      return c10::ScalarType::Double;
    case napi_bigint64_array:
      return c10::ScalarType::Long;
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return c10::ScalarType::Byte;
    default:
      throw typeError(env,
                      "fromTypedArray: unsupported array type (use Float32Array, Float64Array, "
                      "BigInt64Array or Uint8Array)");
  }
}

napi_typedarray_type typedArrayTypeOf(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Float:
      return napi_float32_array;
    case c10::ScalarType::Double:
      return napi_float64_array;
    case c10::ScalarType::Long:
      return napi_bigint64_array;
    default:
      return napi_uint8_array;
  }
}

// A promise of a new Tensor computed on the device thread.
Napi::Promise tensorPromise(Napi::Env env, std::string what, std::function<at::Tensor()> compute) {
  return AddonData::of(env).device->submit(env, std::move(what), [compute = std::move(compute)] {
    at::Tensor result = compute();
    return JsResultBuilder([result](Napi::Env env) -> Napi::Value { return TensorWrap::wrap(env, result); });
  });
}

}  // namespace

void TensorWrap::define(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "NativeTensor",
                                    {
                                        StaticMethod<&TensorWrap::fromTypedArray>("fromTypedArray"),
                                        StaticMethod<&TensorWrap::loadNpy>("loadNpy"),
                                        StaticMethod<&TensorWrap::matmul>("matmul"),
                                        StaticMethod<&TensorWrap::randn>("randn"),
                                        InstanceAccessor<&TensorWrap::shape>("shape"),
                                        InstanceAccessor<&TensorWrap::dtype>("dtype"),
                                        InstanceAccessor<&TensorWrap::device>("device"),
                                        InstanceAccessor<&TensorWrap::isContiguous>("isContiguous"),
                                        InstanceMethod<&TensorWrap::toTypedArray>("toTypedArray"),
                                        InstanceMethod<&TensorWrap::to>("to"),
                                        InstanceMethod<&TensorWrap::contiguous>("contiguous"),
                                        InstanceMethod<&TensorWrap::transpose>("transpose"),
                                        InstanceMethod<&TensorWrap::saveNpy>("saveNpy"),
                                    });
  AddonData::of(env).tensorConstructor = Napi::Persistent(ctor);
  exports.Set("NativeTensor", ctor);
}

Napi::Object TensorWrap::wrap(Napi::Env env, at::Tensor tensor) {
  auto handle = Napi::External<at::Tensor>::New(env, &tensor);
  return AddonData::of(env).tensorConstructor.New({handle});
}

const at::Tensor& TensorWrap::unwrap(const Napi::Value& value, const char* argument) {
  auto& ctor = AddonData::of(value.Env()).tensorConstructor;
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(ctor.Value()))
    throw typeError(value.Env(), std::string(argument) + " must be a Tensor");
  return Unwrap(value.As<Napi::Object>())->tensor_;
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw typeError(info.Env(), "Tensor cannot be constructed directly: use Tensor.fromArray or Tensor.loadNpy");
  tensor_ = *info[0].As<Napi::External<at::Tensor>>().Data();
}

Napi::Value TensorWrap::fromTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray()) throw typeError(env, "fromTypedArray: data must be a typed array");
  auto data = info[0].As<Napi::TypedArray>();
  const c10::ScalarType type = scalarTypeOf(data.TypedArrayType(), env);
  std::vector<int64_t> shape = shapeArgument(info[1], "fromTypedArray");
  at::Tensor tensor = at::empty(shape, at::TensorOptions().dtype(type));
  if (static_cast<size_t>(tensor.numel()) != data.ElementLength()) {
    throw typeError(env, "fromTypedArray: data has " + std::to_string(data.ElementLength()) + " elements but shape " +
                             shapeText(shape) + " needs " + std::to_string(tensor.numel()));
  }
  const auto* bytes = static_cast<const uint8_t*>(data.ArrayBuffer().Data()) + data.ByteOffset();
  if (tensor.nbytes() > 0) std::memcpy(tensor.data_ptr(), bytes, tensor.nbytes());
  return wrap(env, tensor);
}

Napi::Value TensorWrap::loadNpy(const Napi::CallbackInfo& info) {
  std::string path = args::requiredString(info, 0, "loadNpy", "path");
  return tensorPromise(info.Env(), "loadNpy", [path] { return npy::load(path); });
}

Napi::Value TensorWrap::matmul(const Napi::CallbackInfo& info) {
  at::Tensor a = unwrap(info[0], "matmul: a");
  at::Tensor b = unwrap(info[1], "matmul: b");
  return tensorPromise(info.Env(), "matmul", [a, b] { return at::matmul(a, b); });
}

Napi::Value TensorWrap::randn(const Napi::CallbackInfo& info) {
  std::vector<int64_t> shape = shapeArgument(info[0], "randn");
  if (info.Length() < 2 || !info[1].IsNumber()) throw typeError(info.Env(), "randn: seed must be a number");
  const auto seed = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  return tensorPromise(info.Env(), "randn", [shape, seed] {
    at::Generator generator = at::detail::createCPUGenerator(seed);
    return at::randn(shape, generator, at::TensorOptions().dtype(at::kFloat));
  });
}

Napi::Value TensorWrap::shape(const Napi::CallbackInfo& info) {
  auto sizes = tensor_.sizes();
  auto array = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) array.Set(i, Napi::Number::New(info.Env(), sizes[i]));
  return array;
}

Napi::Value TensorWrap::dtype(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeOf(tensor_.scalar_type()).name);
}

Napi::Value TensorWrap::device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), tensor_.device().str());
}

Napi::Value TensorWrap::isContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor_.is_contiguous());
}

Napi::Value TensorWrap::toTypedArray(const Napi::CallbackInfo& info) {
  at::Tensor source = tensor_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "toArray", [source] {
    at::Tensor host = source.to(at::kCPU).contiguous();
    return JsResultBuilder([host](Napi::Env env) -> Napi::Value {
      auto buffer = Napi::ArrayBuffer::New(env, host.nbytes());
      if (host.nbytes() > 0) std::memcpy(buffer.Data(), compat::constDataPtr(host), host.nbytes());
      napi_value array = nullptr;
      NAPI_THROW_IF_FAILED(env,
                           napi_create_typedarray(env, typedArrayTypeOf(host.scalar_type()),
                                                  static_cast<size_t>(host.numel()), buffer, 0, &array),
                           Napi::Value());
      return Napi::Value(env, array);
    });
  });
}

Napi::Value TensorWrap::to(const Napi::CallbackInfo& info) {
  std::string device = args::requiredString(info, 0, "to", "device");
  at::Tensor source = tensor_;
  return tensorPromise(info.Env(), "to('" + device + "')", [source, device] { return source.to(at::Device(device)); });
}

Napi::Value TensorWrap::contiguous(const Napi::CallbackInfo& info) {
  at::Tensor source = tensor_;
  return tensorPromise(info.Env(), "contiguous", [source] { return source.contiguous(); });
}

Napi::Value TensorWrap::transpose(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
    throw typeError(info.Env(), "transpose: dim0 and dim1 must be integers");
  try {
    return wrap(info.Env(),
                tensor_.transpose(info[0].As<Napi::Number>().Int64Value(), info[1].As<Napi::Number>().Int64Value()));
  } catch (const c10::Error&) {
    throw Napi::Error::New(info.Env(), "transpose: " + describeException(std::current_exception()));
  }
}

Napi::Value TensorWrap::saveNpy(const Napi::CallbackInfo& info) {
  std::string path = args::requiredString(info, 0, "saveNpy", "path");
  at::Tensor source = tensor_;
  return AddonData::of(info.Env()).device->submit(info.Env(), "saveNpy", [source, path] {
    npy::save(source, path);
    return resolvesUndefined();
  });
}

}  // namespace mveb
