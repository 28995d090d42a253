// Linear classifiers on frozen features: the linear probe (MAE's: BatchNorm without affine,
// then Linear, trained by SGD with momentum on a cosine schedule) and the transfer protocol's
// L2-regularised multinomial logistic regression, fitted by L-BFGS.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>

namespace mveb {

struct LinearClassifier {
  at::Tensor mean, invStd;  // the standardisation in front (BN without affine, eval mode); 0 and 1 when none
  at::Tensor weight, bias;  // [classes, d], [classes]
};

struct LinearProbeOptions {
  int64_t classes = 0;  // 0: max label + 1
  int64_t epochs = 90;
  double lr = 0.1;
  double momentum = 0.9;
  double weightDecay = 0;
  int64_t batch = 256;
  uint64_t seed = 0;
};

// Standardises with the training features' statistics (BN without affine at convergence:
// the features do not change), then trains the Linear layer on cross-entropy.
LinearClassifier trainLinearProbe(const at::Tensor& features, const at::Tensor& labels,
                                  const LinearProbeOptions& options);

struct LogisticRegressionOptions {
  int64_t classes = 0;
  double l2 = 1e-4;  // mean cross-entropy + l2/2 · ‖W‖² (the bias is not penalised)
  int64_t maxIterations = 1000;
};

LinearClassifier fitLogisticRegression(const at::Tensor& features, const at::Tensor& labels,
                                       const LogisticRegressionOptions& options);

// Labels ranked by score: int64 [M, top].
at::Tensor rankLabels(const LinearClassifier& classifier, const at::Tensor& features, int64_t top);

}  // namespace mveb
