#include "napi/device_thread.h"

#include "napi/errors.h"

namespace mveb {

struct DeviceThread::Job {
  Job(std::string what, DeviceWork work, Napi::Promise::Deferred deferred, Napi::Object caller, DeviceThread* owner)
      : what(std::move(what)),
        work(std::move(work)),
        deferred(deferred),
        caller(Napi::Persistent(caller)),
        owner(owner) {}
  std::string what;
  DeviceWork work;
  Napi::Promise::Deferred deferred;
  // An Error made at the call, so that a rejection carries the caller's JS stack (as sharp
  // does); main thread only.
  Napi::ObjectReference caller;
  JsResultBuilder result;
  std::string error;  // empty on success
  DeviceThread* owner;
};

DeviceThread::DeviceThread(Napi::Env env)
    : completion_(Completion::New(env, "mveb-torch device thread", 0, 1)), thread_([this] { loop(); }) {
  // An idle device thread must not keep the process alive.
  completion_.Unref(env);
  napi_add_env_cleanup_hook(env, &DeviceThread::shutdownHook, this);
}

DeviceThread::~DeviceThread() { shutdown(); }

void DeviceThread::shutdownHook(void* self) { static_cast<DeviceThread*>(self)->shutdown(); }

void DeviceThread::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Jobs never run are freed with this object, possibly after the environment: their JS
  // references must not be deleted then.
  for (auto& job : queue_) job->caller.SuppressDestruct();
  completion_.Release();
}

Napi::Promise DeviceThread::submit(Napi::Env env, std::string what, DeviceWork work) {
  if (shutDown_) throw Napi::Error::New(env, what + ": the device thread has shut down");
  auto deferred = Napi::Promise::Deferred::New(env);
  auto promise = deferred.Promise();
  auto caller = Napi::Error::New(env).Value();
  auto job = std::make_unique<Job>(std::move(what), std::move(work), deferred, caller, this);
  if (pending_++ == 0) completion_.Ref(env);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return promise;
}

void DeviceThread::loop() {
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job->result = job->work();
    } catch (...) {
      job->error = prefixed(job->what, describeException(std::current_exception()));
    }
    job->work = nullptr;  // free captured tensors here, not on the main thread
    // On success the main thread owns the job; if the environment is closing it never runs,
    // and its JS reference must not be touched from this thread.
    if (completion_.BlockingCall(job.get()) == napi_ok)
      job.release();
    else
      job->caller.SuppressDestruct();
  }
}

namespace {

// The Error made at the call, now with the message: its stack names the caller's lines.
Napi::Value callerError(Napi::Object error, const std::string& message) {
  error.Set("message", message);
  const std::string stack = error.Get("stack").ToString().Utf8Value();
  const auto frames = stack.find('\n');
  error.Set("stack", "Error: " + message + (frames == std::string::npos ? "" : stack.substr(frames)));
  return error;
}

}  // namespace

void DeviceThread::settle(Napi::Env env, Napi::Function, std::nullptr_t*, Job* raw) {
  std::unique_ptr<Job> job(raw);
  if (env == nullptr) return;  // environment torn down
  DeviceThread& self = *job->owner;
  // Nothing may escape: this is called from C. When a worker is being terminated,
  // every call into JS fails, and nobody can observe this Promise any more.
  try {
    if (--self.pending_ == 0) self.completion_.Unref(env);
    if (!job->error.empty()) {
      job->deferred.Reject(callerError(job->caller.Value(), job->error));
      return;
    }
    try {
      job->deferred.Resolve(job->result(env));
    } catch (const Napi::Error& e) {
      job->deferred.Reject(e.Value());
    } catch (...) {
      job->deferred.Reject(
          callerError(job->caller.Value(), prefixed(job->what, describeException(std::current_exception()))));
    }
  } catch (...) {
  }
}

}  // namespace mveb
