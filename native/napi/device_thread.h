// The native device thread: heavy calls run here, one at a time, in submission
// order, and settle a JS Promise. Not the libuv pool, which sharp and fs need.
#pragma once

#include <napi.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mveb {

// Runs on the main thread after the work is done: turns the result into JS.
using JsResultBuilder = std::function<Napi::Value(Napi::Env)>;
// Runs on the device thread; may throw (the Promise then rejects).
using DeviceWork = std::function<JsResultBuilder()>;

// The result of work that only has an effect: the Promise resolves to undefined.
inline JsResultBuilder resolvesUndefined() {
  return [](Napi::Env env) -> Napi::Value { return env.Undefined(); };
}

class DeviceThread {
 public:
  explicit DeviceThread(Napi::Env env);
  ~DeviceThread();
  DeviceThread(const DeviceThread&) = delete;
  DeviceThread& operator=(const DeviceThread&) = delete;

  // `what` names the operation in error messages ("loadNpy: ...").
  Napi::Promise submit(Napi::Env env, std::string what, DeviceWork work);

 private:
  struct Job;
  static void settle(Napi::Env env, Napi::Function, std::nullptr_t*, Job* job);
  using Completion = Napi::TypedThreadSafeFunction<std::nullptr_t, Job, &DeviceThread::settle>;

  void loop();
  // Stops and joins the thread while the completion handle is still alive:
  // runs from an environment cleanup hook, before Node tears the handle down.
  void shutdown();
  static void shutdownHook(void* self);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
  Completion completion_;
  size_t pending_ = 0;     // main thread only
  bool shutDown_ = false;  // main thread only
  std::thread thread_;
};

}  // namespace mveb
