#include "eval/linear_classifier.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/lbfgs.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace mveb {
namespace {

int64_t classCount(const at::Tensor& features, const at::Tensor& labels, int64_t classes, const std::string& where) {
  if (features.dim() != 2 || labels.dim() != 1 || labels.size(0) != features.size(0) || features.size(0) == 0)
    throw std::invalid_argument(where + ": features must be [N, d] with N > 0 and one label each");
  const int64_t found = labels.max().item<int64_t>() + 1;
  if (labels.min().item<int64_t>() < 0 || (classes > 0 && found > classes))
    throw std::invalid_argument(where + ": labels must lie in [0, classes)");
  return classes > 0 ? classes : found;
}

}  // namespace

LinearClassifier trainLinearProbe(const at::Tensor& features, const at::Tensor& labels,
                                  const LinearProbeOptions& options) {
  const int64_t classes = classCount(features, labels, options.classes, "linearProbe");
  if (options.epochs < 1 || options.batch < 1 || !(options.lr > 0))
    throw std::invalid_argument("linearProbe: epochs, batch and lr must be positive");
  at::AutoGradMode gradients(true);
  const at::Tensor x = features.to(at::kFloat);
  const at::Tensor y = labels.to(x.device(), at::kLong);
  LinearClassifier out;
  out.mean = x.mean(0);
  out.invStd = (x.var(0, /*unbiased=*/false) + 1e-6).rsqrt();
  const at::Tensor standardised = (x - out.mean) * out.invStd;
  at::Tensor weight = at::zeros({classes, x.size(1)}, x.options()).requires_grad_(true);
  at::Tensor bias = at::zeros({classes}, x.options()).requires_grad_(true);
  torch::optim::SGD optimizer(
      {weight, bias},
      torch::optim::SGDOptions(options.lr).momentum(options.momentum).weight_decay(options.weightDecay));
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const int64_t n = x.size(0), steps = (n + options.batch - 1) / options.batch, total = steps * options.epochs;
  for (int64_t epoch = 0, step = 0; epoch < options.epochs; ++epoch) {
    const at::Tensor order = at::randperm(n, generator, at::TensorOptions().dtype(at::kLong)).to(x.device());
    for (int64_t start = 0; start < n; start += options.batch, ++step) {
      const at::Tensor index = order.slice(0, start, std::min(start + options.batch, n));
      // Cosine from lr to 0 over all steps.
      const double lr =
          options.lr * 0.5 * (1 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total)));
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      optimizer.zero_grad();
      const at::Tensor logits = at::addmm(bias, standardised.index_select(0, index), weight.t());
      at::cross_entropy_loss(logits, y.index_select(0, index)).backward();
      optimizer.step();
    }
  }
  out.weight = weight.detach();
  out.bias = bias.detach();
  return out;
}

LinearClassifier fitLogisticRegression(const at::Tensor& features, const at::Tensor& labels,
                                       const LogisticRegressionOptions& options) {
  const int64_t classes = classCount(features, labels, options.classes, "logisticRegression");
  if (!(options.l2 >= 0) || options.maxIterations < 1)
    throw std::invalid_argument("logisticRegression: l2 must be >= 0 and maxIterations >= 1");
  at::AutoGradMode gradients(true);
  const at::Tensor x = features.to(at::kFloat);
  const at::Tensor y = labels.to(x.device(), at::kLong);
  at::Tensor weight = at::zeros({classes, x.size(1)}, x.options()).requires_grad_(true);
  at::Tensor bias = at::zeros({classes}, x.options()).requires_grad_(true);
  torch::optim::LBFGS optimizer({weight, bias}, torch::optim::LBFGSOptions(1)
                                                    .max_iter(options.maxIterations)
                                                    .max_eval(options.maxIterations * 5 / 4)
                                                    .tolerance_grad(1e-5)
                                                    .tolerance_change(1e-10)
                                                    .history_size(20)
                                                    .line_search_fn("strong_wolfe"));
  auto objective = [&]() -> at::Tensor {
    optimizer.zero_grad();
    at::Tensor loss =
        at::cross_entropy_loss(at::addmm(bias, x, weight.t()), y) + 0.5 * options.l2 * weight.pow(2).sum();
    loss.backward();
    return loss;
  };
  optimizer.step(objective);
  LinearClassifier out;
  out.mean = at::zeros({x.size(1)}, x.options());
  out.invStd = at::ones({x.size(1)}, x.options());
  out.weight = weight.detach();
  out.bias = bias.detach();
  return out;
}

at::Tensor rankLabels(const LinearClassifier& classifier, const at::Tensor& features, int64_t top) {
  at::NoGradGuard noGrad;
  const at::Tensor x = (features.to(classifier.weight.device(), at::kFloat) - classifier.mean) * classifier.invStd;
  const at::Tensor scores = at::addmm(classifier.bias, x, classifier.weight.t());
  return std::get<1>(scores.topk(std::min(top, scores.size(1)), 1)).cpu();
}

}  // namespace mveb
