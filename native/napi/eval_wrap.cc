#include "napi/eval_wrap.h"

#include <ATen/ATen.h>

#include "eval/embedding_health.h"
#include "eval/knn.h"
#include "eval/linear_classifier.h"
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

// knnGrid(trainFeatures, trainLabels, testFeatures, { ks, temperatures, classes, top })
//   → Promise<Tensor int64 [ks, temperatures, M, top]>
Napi::Value jsKnnGrid(const Napi::CallbackInfo& info) {
  const std::string where = "knnGrid";
  at::Tensor train = TensorWrap::unwrap(info[0], "knnGrid: trainFeatures");
  at::Tensor labels = TensorWrap::unwrap(info[1], "knnGrid: trainLabels");
  at::Tensor test = TensorWrap::unwrap(info[2], "knnGrid: testFeatures");
  Napi::Object o = args::options(info, 3, where);
  KnnGridOptions options;
  options.ks.clear();
  for (double k : args::numbers(o, "ks", {10, 20, 100, 200}, where)) options.ks.push_back(static_cast<int64_t>(k));
  options.temperatures = args::numbers(o, "temperatures", options.temperatures, where);
  options.classes = static_cast<int64_t>(args::number(o, "classes", 0, where));
  options.top = static_cast<int64_t>(args::number(o, "top", static_cast<double>(options.top), where));
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [train, labels, test, options] {
    at::Tensor ranked = knnGrid(train, labels, test, options);
    return JsResultBuilder([ranked](Napi::Env env) -> Napi::Value { return TensorWrap::wrap(env, ranked); });
  });
}

// Fits on (features, labels), then ranks the labels of each evaluation set: Promise<Tensor[]>.
template <typename Fit>
Napi::Value fitAndRank(const Napi::CallbackInfo& info, const std::string& where, Fit fit, int64_t top) {
  at::Tensor features = TensorWrap::unwrap(info[0], (where + ": features").c_str());
  at::Tensor labels = TensorWrap::unwrap(info[1], (where + ": labels").c_str());
  std::vector<at::Tensor> evaluated = args::tensors(info[2], where, "evaluate");
  return AddonData::of(info.Env()).device->submit(info.Env(), where, [features, labels, evaluated, fit, top] {
    const LinearClassifier classifier = fit(features, labels);
    std::vector<at::Tensor> ranked;
    for (const auto& x : evaluated) ranked.push_back(rankLabels(classifier, x, top));
    return JsResultBuilder([ranked](Napi::Env env) -> Napi::Value { return args::tensorArray(env, ranked); });
  });
}

// linearProbe(features, labels, evaluate: Tensor[], { classes, epochs, lr, momentum, weightDecay, batch, seed, top })
Napi::Value jsLinearProbe(const Napi::CallbackInfo& info) {
  const std::string where = "linearProbe";
  Napi::Object o = args::options(info, 3, where);
  LinearProbeOptions options;
  options.classes = static_cast<int64_t>(args::number(o, "classes", 0, where));
  options.epochs = static_cast<int64_t>(args::number(o, "epochs", static_cast<double>(options.epochs), where));
  options.lr = args::number(o, "lr", options.lr, where);
  options.momentum = args::number(o, "momentum", options.momentum, where);
  options.weightDecay = args::number(o, "weightDecay", options.weightDecay, where);
  options.batch = static_cast<int64_t>(args::number(o, "batch", static_cast<double>(options.batch), where));
  options.seed = static_cast<uint64_t>(args::number(o, "seed", 0, where));
  const auto top = static_cast<int64_t>(args::number(o, "top", 5, where));
  return fitAndRank(
      info, where, [options](const at::Tensor& x, const at::Tensor& y) { return trainLinearProbe(x, y, options); },
      top);
}

// logisticRegression(features, labels, evaluate: Tensor[], { classes, l2, maxIterations, top })
Napi::Value jsLogisticRegression(const Napi::CallbackInfo& info) {
  const std::string where = "logisticRegression";
  Napi::Object o = args::options(info, 3, where);
  LogisticRegressionOptions options;
  options.classes = static_cast<int64_t>(args::number(o, "classes", 0, where));
  options.l2 = args::number(o, "l2", options.l2, where);
  options.maxIterations =
      static_cast<int64_t>(args::number(o, "maxIterations", static_cast<double>(options.maxIterations), where));
  const auto top = static_cast<int64_t>(args::number(o, "top", 5, where));
  return fitAndRank(
      info, where, [options](const at::Tensor& x, const at::Tensor& y) { return fitLogisticRegression(x, y, options); },
      top);
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
  eval.Set("knnGrid", Napi::Function::New<jsKnnGrid>(env, "knnGrid"));
  eval.Set("linearProbe", Napi::Function::New<jsLinearProbe>(env, "linearProbe"));
  eval.Set("logisticRegression", Napi::Function::New<jsLogisticRegression>(env, "logisticRegression"));
  eval.Set("embeddingHealth", Napi::Function::New<jsEmbeddingHealth>(env, "embeddingHealth"));
  exports.Set("eval", eval);
}

}  // namespace mveb
