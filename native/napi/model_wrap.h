// The JS-visible Siamese model: forward passes and state dicts, on the device thread.
#pragma once

#include <napi.h>

#include "models/siamese.h"

namespace mveb {

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static void define(Napi::Env env, Napi::Object exports);
  explicit ModelWrap(const Napi::CallbackInfo& info);
  // The model behind a JS NativeModel argument; throws a TypeError naming `argument` otherwise.
  static SiameseModel unwrapModel(const Napi::Value& value, const char* argument);

 private:
  Napi::Value embed(const Napi::CallbackInfo& info);
  Napi::Value targetEmbed(const Napi::CallbackInfo& info);
  Napi::Value backboneFeatures(const Napi::CallbackInfo& info);
  Napi::Value forwardBackward(const Napi::CallbackInfo& info);
  Napi::Value stateDict(const Napi::CallbackInfo& info);
  Napi::Value loadStateDict(const Napi::CallbackInfo& info);
  Napi::Value setTraining(const Napi::CallbackInfo& info);
  Napi::Value updateTarget(const Napi::CallbackInfo& info);
  Napi::Value to(const Napi::CallbackInfo& info);
  Napi::Value parameterCount(const Napi::CallbackInfo& info);
  Napi::Value featureDim(const Napi::CallbackInfo& info);

  // Which module a call addresses: "model" (online + target), "online", "backbone", "projector".
  torch::nn::Module& part(const std::string& name);

  SiameseModel model_{nullptr};
};

}  // namespace mveb
