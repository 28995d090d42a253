// Module registration only.
#include <napi.h>

#include <memory>

#include "napi/info_wrap.h"
#include "memory/caching_cpu_allocator.h"
#include "napi/addon_data.h"
#include "napi/augment_wrap.h"
#include "napi/eval_wrap.h"
#include "napi/experiments_wrap.h"
#include "napi/io_wrap.h"
#include "napi/model_wrap.h"
#include "napi/ops_wrap.h"
#include "napi/optimizer_wrap.h"
#include "napi/process_group_wrap.h"
#include "napi/runtime_wrap.h"
#include "napi/tensor_wrap.h"
#include "napi/trainer_wrap.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  mveb::installCachingCpuAllocator();
  env.SetInstanceData(std::make_unique<mveb::AddonData>(env).release());  // owned and deleted by the environment
  mveb::TensorWrap::define(env, exports);
  mveb::OptimizerWrap::define(env, exports);
  mveb::defineOps(env, exports);
  mveb::defineExperiments(env, exports);
  mveb::defineIo(env, exports);
  mveb::ModelWrap::define(env, exports);
  mveb::defineRuntime(env, exports);
  mveb::defineAugment(env, exports);
  mveb::defineEval(env, exports);
  mveb::TrainerWrap::define(env, exports);
  mveb::ProcessGroupWrap::define(env, exports);
  exports.Set("buildInfo", Napi::Function::New<mveb::buildInfo>(env, "buildInfo"));
  return exports;
}

}  // namespace

NODE_API_MODULE(mveb_native, init)
