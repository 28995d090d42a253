// The JS-visible process group: created on the device thread (connecting blocks until every
// rank has joined), then used by the trainer and for the small agreements between steps.
#pragma once

#include <napi.h>

#include <memory>

#include "distributed/collectives.h"

namespace mveb {

class ProcessGroupWrap : public Napi::ObjectWrap<ProcessGroupWrap> {
 public:
  static void define(Napi::Env env, Napi::Object exports);
  // Only from connect(): the group arrives as an External.
  explicit ProcessGroupWrap(const Napi::CallbackInfo& info);
  // The group behind a JS NativeProcessGroup argument; a TypeError naming `argument` otherwise.
  static std::shared_ptr<Collectives> unwrapGroup(const Napi::Value& value, const char* argument);

 private:
  Napi::Value rank(const Napi::CallbackInfo& info);
  Napi::Value worldSize(const Napi::CallbackInfo& info);
  Napi::Value sum(const Napi::CallbackInfo& info);
  Napi::Value barrier(const Napi::CallbackInfo& info);
  Napi::Value broadcastModel(const Napi::CallbackInfo& info);
  Napi::Value broadcastTensors(const Napi::CallbackInfo& info);
  Napi::Value replicaDrift(const Napi::CallbackInfo& info);

  std::shared_ptr<Collectives> group_;
};

}  // namespace mveb
