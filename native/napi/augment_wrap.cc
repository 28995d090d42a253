#include "napi/augment_wrap.h"

#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

#include "augment/photometric.h"
#include "augment/resize.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/tensor_wrap.h"

namespace mveb {
namespace {

std::array<double, 3> triple(const Napi::Object& options, const char* key, std::array<double, 3> fallback,
                             const std::string& where) {
  Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 3)
    throw Napi::TypeError::New(options.Env(), where + ": options." + key + " must be an array of 3 numbers");
  auto array = value.As<Napi::Array>();
  std::array<double, 3> out{};
  for (uint32_t i = 0; i < 3; ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber())
      throw Napi::TypeError::New(options.Env(), where + ": options." + key + " must be an array of 3 numbers");
    out[i] = item.As<Napi::Number>().DoubleValue();
  }
  return out;
}

PhotometricSpec specOf(const Napi::Object& o, const std::string& where) {
  PhotometricSpec s;
  s.jitterProb = args::number(o, "jitterProb", s.jitterProb, where);
  s.brightness = args::number(o, "brightness", s.brightness, where);
  s.contrast = args::number(o, "contrast", s.contrast, where);
  s.saturation = args::number(o, "saturation", s.saturation, where);
  s.hue = args::number(o, "hue", s.hue, where);
  s.grayscaleProb = args::number(o, "grayscaleProb", s.grayscaleProb, where);
  s.blurProb = args::number(o, "blurProb", s.blurProb, where);
  s.sigmaMin = args::number(o, "sigmaMin", s.sigmaMin, where);
  s.sigmaMax = args::number(o, "sigmaMax", s.sigmaMax, where);
  s.blurKernel = static_cast<int64_t>(args::number(o, "blurKernel", 0, where));
  s.solarizeProb = args::number(o, "solarizeProb", s.solarizeProb, where);
  s.solarizeThreshold = args::number(o, "solarizeThreshold", s.solarizeThreshold, where);
  s.mean = triple(o, "mean", s.mean, where);
  s.std = triple(o, "std", s.std, where);
  try {
    validateSpec(s);
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(o.Env(), where + ": options." + e.what());
  }
  return s;
}

uint64_t seedOf(const Napi::Value& value, const std::string& where) {
  const double seed = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1.0;
  if (!(seed >= 0 && seed <= 9007199254740991.0) || seed != static_cast<double>(static_cast<uint64_t>(seed)))
    throw Napi::TypeError::New(value.Env(), where + ": seed must be a non-negative safe integer");
  return static_cast<uint64_t>(seed);
}

// A JS array of numbers (or a typed array) as a 1-D CPU tensor of `type`.
at::Tensor column(const Napi::Object& params, const char* key, at::ScalarType type, const std::string& where) {
  Napi::Value value = params.Get(key);
  if (!value.IsArray() && !value.IsTypedArray())
    throw Napi::TypeError::New(params.Env(), where + ": params." + key + " must be an array of numbers");
  auto array = value.As<Napi::Object>();
  const uint32_t length = array.Get("length").As<Napi::Number>().Uint32Value();
  std::vector<double> values(length);
  for (uint32_t i = 0; i < length; ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsNumber()) throw Napi::TypeError::New(params.Env(), where + ": params." + key + " must hold numbers");
    values[i] = item.As<Napi::Number>().DoubleValue();
  }
  return at::tensor(values, at::kDouble).to(type);
}

PhotometricParams paramsOf(const Napi::Object& p, int64_t count, const std::string& where) {
  PhotometricParams params;
  params.jitter = column(p, "jitter", at::kBool, where);
  params.order = column(p, "order", at::kLong, where).view({-1, 4});
  params.factors = column(p, "factors", at::kDouble, where).view({-1, 4});
  params.grayscale = column(p, "grayscale", at::kBool, where);
  params.blur = column(p, "blur", at::kBool, where);
  params.sigma = column(p, "sigma", at::kDouble, where);
  params.solarize = column(p, "solarize", at::kBool, where);
  try {
    validateParams(params, count);
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(p.Env(), where + ": " + e.what());
  }
  return params;
}

Napi::Array numbers(Napi::Env env, const at::Tensor& t) {
  const at::Tensor values = t.to(at::kDouble).contiguous().view(-1);
  auto array = Napi::Array::New(env, values.numel());
  for (int64_t i = 0; i < values.numel(); ++i) array.Set(static_cast<uint32_t>(i), values.data_ptr<double>()[i]);
  return array;
}

// drawPhotometricParams(count, spec, seed): the per-sample parameters a seed gives.
Napi::Value jsDrawPhotometricParams(const Napi::CallbackInfo& info) {
  const std::string where = "drawPhotometricParams";
  const double count = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(count >= 0) || count != static_cast<double>(static_cast<int64_t>(count)))
    throw Napi::TypeError::New(info.Env(), where + ": count must be a non-negative integer");
  PhotometricSpec spec = specOf(args::options(info, 1, where), where);
  PhotometricParams p = drawPhotometricParams(static_cast<int64_t>(count), spec, seedOf(info[2], where));
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
  out.Set("jitter", numbers(env, p.jitter));
  out.Set("order", numbers(env, p.order));
  out.Set("factors", numbers(env, p.factors));
  out.Set("grayscale", numbers(env, p.grayscale));
  out.Set("blur", numbers(env, p.blur));
  out.Set("sigma", numbers(env, p.sigma));
  out.Set("solarize", numbers(env, p.solarize));
  out.Set("blurKernel", static_cast<double>(blurKernelSize(spec)));
  return out;
}

// photometricAugment(uint8 data, [N, H, W, 3], { ...spec, seed | params, device, implementation })
//   → Promise<Tensor float32 [N, 3, H, W]>
Napi::Value jsPhotometricAugment(const Napi::CallbackInfo& info) {
  const std::string where = "photometricAugment";
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, where + ": data must be a Uint8Array");
  auto data = info[0].As<Napi::Uint8Array>();
  if (!info[1].IsArray() || info[1].As<Napi::Array>().Length() != 4)
    throw Napi::TypeError::New(env, where + ": shape must be [N, H, W, 3]");
  std::vector<int64_t> shape;
  for (uint32_t i = 0; i < 4; ++i) {
    Napi::Value d = info[1].As<Napi::Array>().Get(i);
    if (!d.IsNumber() || d.As<Napi::Number>().DoubleValue() < 0)
      throw Napi::TypeError::New(env, where + ": shape must be [N, H, W, 3] of non-negative integers");
    shape.push_back(d.As<Napi::Number>().Int64Value());
  }
  if (shape[3] != 3)
    throw Napi::RangeError::New(env, where + ": images must have 3 channels (NHWC), got " + std::to_string(shape[3]));
  if (static_cast<size_t>(shape[0] * shape[1] * shape[2] * shape[3]) != data.ElementLength())
    throw Napi::RangeError::New(env, where + ": data has " + std::to_string(data.ElementLength()) +
                                         " bytes, shape needs " + std::to_string(shape[0] * shape[1] * shape[2] * 3));
  Napi::Object options = args::options(info, 2, where);
  const PhotometricSpec spec = specOf(options, where);
  const bool explicitParams = options.Get("params").IsObject();
  const PhotometricParams params =
      explicitParams ? paramsOf(options.Get("params").As<Napi::Object>(), shape[0], where) : PhotometricParams{};
  const uint64_t seed = explicitParams ? 0 : seedOf(options.Get("seed"), where);
  const std::string device = args::string(options, "device", "cpu", where);
  const PhotometricImpl impl = args::choice<PhotometricImpl>(
      options, "implementation",
      {{"auto", PhotometricImpl::Auto}, {"fused", PhotometricImpl::Fused}, {"aten", PhotometricImpl::Aten}}, where);

  // Views bound for a GPU go through page-locked memory, so that the copy is asynchronous (the
  // pinned allocator keeps the block until the copy has finished).
  const bool toCuda = at::globalContext().hasCUDA() && device.rfind("cuda", 0) == 0;
  at::Tensor batch = at::empty(shape, at::TensorOptions().dtype(at::kByte).pinned_memory(toCuda));
  if (batch.nbytes() > 0) std::memcpy(batch.data_ptr(), data.Data(), batch.nbytes());
  return AddonData::of(env).device->submit(env, where, [=] {
    const PhotometricParams drawn = explicitParams ? params : drawPhotometricParams(shape[0], spec, seed);
    at::Tensor out = photometricAugment(batch.to(at::Device(device), /*non_blocking=*/toCuda), drawn, spec, impl);
    return JsResultBuilder([out](Napi::Env env) -> Napi::Value { return TensorWrap::wrap(env, out); });
  });
}

int intField(const Napi::Object& o, const char* key, const std::string& where) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), where + ": view." + key + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

// cutViews(image, width, height, channels, views, outputs, slot): synchronous, on the
// calling thread (a view worker). Writes view v into outputs[v] at image slot `slot`.
Napi::Value jsCutViews(const Napi::CallbackInfo& info) {
  const std::string where = "cutViews";
  Napi::Env env = info.Env();
  if (info.Length() < 7 || !info[0].IsTypedArray() || !info[4].IsArray() || !info[5].IsArray() || !info[6].IsNumber())
    throw Napi::TypeError::New(env, where + "(image, width, height, channels, views, outputs, slot)");
  auto image = info[0].As<Napi::Uint8Array>();
  const int width = info[1].As<Napi::Number>().Int32Value();
  const int height = info[2].As<Napi::Number>().Int32Value();
  const int channels = info[3].As<Napi::Number>().Int32Value();
  if (width < 1 || height < 1 || static_cast<size_t>(width) * height * channels != image.ElementLength())
    throw Napi::RangeError::New(env, where + ": image has " + std::to_string(image.ElementLength()) + " bytes, not " +
                                         std::to_string(width) + "x" + std::to_string(height) + "x" +
                                         std::to_string(channels));
  auto jsViews = info[4].As<Napi::Array>();
  auto jsOutputs = info[5].As<Napi::Array>();
  const int64_t slot = info[6].As<Napi::Number>().Int64Value();
  std::vector<CropView> views;
  std::vector<uint8_t*> outputs;
  for (uint32_t v = 0; v < jsViews.Length(); ++v) {
    Napi::Object o = jsViews.Get(v).As<Napi::Object>();
    CropView view{intField(o, "left", where),   intField(o, "top", where),  intField(o, "width", where),
                  intField(o, "height", where), intField(o, "size", where), o.Get("flip").ToBoolean().Value()};
    Napi::Value out = jsOutputs.Get(v);
    if (!out.IsTypedArray()) throw Napi::TypeError::New(env, where + ": outputs must be Uint8Arrays");
    auto bytes = out.As<Napi::Uint8Array>();
    const size_t viewBytes = static_cast<size_t>(view.size) * view.size * 3;
    if (slot < 0 || (static_cast<size_t>(slot) + 1) * viewBytes > bytes.ElementLength())
      throw Napi::RangeError::New(env,
                                  where + ": output " + std::to_string(v) + " has no slot " + std::to_string(slot));
    views.push_back(view);
    outputs.push_back(bytes.Data() + slot * viewBytes);
  }
  cutViews(image.Data(), width, height, channels, views, outputs);
  return env.Undefined();
}

}  // namespace

void defineAugment(Napi::Env env, Napi::Object exports) {
  exports.Set("drawPhotometricParams", Napi::Function::New<jsDrawPhotometricParams>(env, "drawPhotometricParams"));
  exports.Set("cutViews", Napi::Function::New<jsCutViews>(env, "cutViews"));
  exports.Set("photometricAugment", Napi::Function::New<jsPhotometricAugment>(env, "photometricAugment"));
}

}  // namespace mveb
