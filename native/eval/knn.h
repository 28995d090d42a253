// Weighted k-nearest-neighbour classification on cosine similarity (Wu et al. 2018, as
// DINO's eval_knn): each of the k neighbours votes for its label with weight exp(sim / T).
#pragma once

#include <ATen/Tensor.h>

namespace mveb {

struct KnnOptions {
  int64_t k = 200;
  double temperature = 0.1;
  int64_t classes = 0;  // 0: max label + 1
  int64_t chunk = 256;  // test rows per similarity block
};

// trainFeatures [N, d], trainLabels int64 [N], testFeatures [M, d] → predicted labels int64 [M].
at::Tensor knnPredict(const at::Tensor& trainFeatures, const at::Tensor& trainLabels, const at::Tensor& testFeatures,
                      const KnnOptions& options = {});

}  // namespace mveb
