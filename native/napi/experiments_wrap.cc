#include "napi/experiments_wrap.h"

#include "mveb/collapse_study.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/tensor_wrap.h"

namespace mveb {
namespace {

Napi::Array numbers(Napi::Env env, const std::vector<double>& values) {
  auto array = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) array.Set(i, values[i]);
  return array;
}

Napi::Value jsCollapseStudy(const Napi::CallbackInfo& info) {
  const std::string where = "collapseStudy";
  at::Tensor images = TensorWrap::unwrap(info[0], "collapseStudy: images");
  Napi::Object js = args::options(info, 1, where);
  CollapseStudyOptions options;
  options.steps = static_cast<int64_t>(args::number(js, "steps", options.steps, where));
  options.batch = static_cast<int64_t>(args::number(js, "batch", options.batch, where));
  options.beta = args::number(js, "beta", options.beta, where);
  options.lr = args::number(js, "lr", options.lr, where);
  options.weightDecay = args::number(js, "weightDecay", options.weightDecay, where);
  options.emaMomentum = args::number(js, "emaMomentum", options.emaMomentum, where);
  options.hidden = static_cast<int64_t>(args::number(js, "hidden", options.hidden, where));
  options.embedding = static_cast<int64_t>(args::number(js, "embedding", options.embedding, where));
  options.logEvery = static_cast<int64_t>(args::number(js, "logEvery", options.logEvery, where));
  options.seed = static_cast<uint64_t>(args::number(js, "seed", 0, where));
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [images, options] {
    CollapseStudyResult result = runCollapseStudy(images, options);
    return JsResultBuilder([result](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("steps", numbers(env, std::vector<double>(result.steps.begin(), result.steps.end())));
      out.Set("embeddingStd", numbers(env, result.embeddingStd));
      out.Set("loss", numbers(env, result.loss));
      out.Set("alignment", numbers(env, result.alignment));
      return out;
    });
  });
}

}  // namespace

void defineExperiments(Napi::Env env, Napi::Object exports) {
  auto experiments = Napi::Object::New(env);
  experiments.Set("collapseStudy", Napi::Function::New<jsCollapseStudy>(env, "collapseStudy"));
  exports.Set("experiments", experiments);
}

}  // namespace mveb
