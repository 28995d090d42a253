// Weighted k-nearest-neighbour classification on cosine similarity (Wu et al. 2018, as
// DINO's eval_knn): each of the k neighbours votes for its label with weight exp(sim / T).
#pragma once

#include <ATen/Tensor.h>

#include <vector>

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

struct KnnGridOptions {
  std::vector<int64_t> ks{10, 20, 100, 200};
  std::vector<double> temperatures{0.07, 0.1};
  int64_t classes = 0;  // 0: max label + 1
  int64_t top = 5;      // ranked labels kept per test row (at most the class count)
  int64_t chunk = 256;
};

// Every (k, T) from one similarity matrix and one top-k of it (the largest k): int64
// [ks, temperatures, M, top], each row's labels ranked by their vote; -1 where fewer than
// `top` classes got a vote.
at::Tensor knnGrid(const at::Tensor& trainFeatures, const at::Tensor& trainLabels, const at::Tensor& testFeatures,
                   const KnnGridOptions& options);

}  // namespace mveb
