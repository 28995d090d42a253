#include "napi/eval_wrap.h"

#include <ATen/ATen.h>

#include "eval/embedding_health.h"
#include "eval/knn.h"
#include "napi/addon_data.h"
#include "napi/args.h"
#include "napi/tensor_wrap.h"

namespace mveb {
namespace {

// knnPredict(trainFeatures, trainLabels, testFeatures, { k, temperature, classes }) → Promise<Tensor int64>
Napi::Value jsKnnPredict(const Napi::CallbackInfo& info) {
  const std::string where = "knnPredict";
  at::Tensor train = TensorWrap::unwrap(info[0], "knnPredict: trainFeatures");
  at::Tensor labels = TensorWrap::unwrap(info[1], "knnPredict: trainLabels");
  at::Tensor test = TensorWrap::unwrap(info[2], "knnPredict: testFeatures");
  Napi::Object o = args::options(info, 3, where);
  KnnOptions options;
  options.k = static_cast<int64_t>(args::number(o, "k", static_cast<double>(options.k), where));
  options.temperature = args::number(o, "temperature", options.temperature, where);
  options.classes = static_cast<int64_t>(args::number(o, "classes", 0, where));
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [train, labels, test, options] {
    at::Tensor predicted = knnPredict(train, labels, test, options).cpu();
    return JsResultBuilder([predicted](Napi::Env env) -> Napi::Value { return TensorWrap::wrap(env, predicted); });
  });
}

// embeddingHealth(z1, z2?) → Promise<{ stdMean, stdMin, effectiveRank, alignment, uniformity }>
Napi::Value jsEmbeddingHealth(const Napi::CallbackInfo& info) {
  at::Tensor z1 = TensorWrap::unwrap(info[0], "embeddingHealth: z1");
  at::Tensor z2 = info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()
                      ? TensorWrap::unwrap(info[1], "embeddingHealth: z2")
                      : at::Tensor();
  return AddonData::of(info.Env()).device->submit(info.Env(), "embeddingHealth", [z1, z2] {
    EmbeddingHealth h = embeddingHealth(z1, z2);
    return JsResultBuilder([h](Napi::Env env) -> Napi::Value {
      auto out = Napi::Object::New(env);
      out.Set("stdMean", h.stdMean);
      out.Set("stdMin", h.stdMin);
      out.Set("effectiveRank", h.effectiveRank);
      out.Set("alignment", h.alignment);
      out.Set("uniformity", h.uniformity);
      return out;
    });
  });
}

}  // namespace

void defineEval(Napi::Env env, Napi::Object exports) {
  auto eval = Napi::Object::New(env);
  eval.Set("knnPredict", Napi::Function::New<jsKnnPredict>(env, "knnPredict"));
  eval.Set("embeddingHealth", Napi::Function::New<jsEmbeddingHealth>(env, "embeddingHealth"));
  exports.Set("eval", eval);
}

}  // namespace mveb
