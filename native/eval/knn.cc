#include "eval/knn.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>

namespace mveb {
namespace {

at::Tensor unitRows(const at::Tensor& x) { return x / x.norm(2, {1}, true).clamp_min(1e-12); }

void checkShapes(const at::Tensor& trainFeatures, const at::Tensor& trainLabels, const at::Tensor& testFeatures) {
  if (trainFeatures.dim() != 2 || testFeatures.dim() != 2 || trainFeatures.size(1) != testFeatures.size(1))
    throw std::invalid_argument("knn: features must be [N, d] and [M, d] with the same d");
  if (trainLabels.dim() != 1 || trainLabels.size(0) != trainFeatures.size(0))
    throw std::invalid_argument("knn: one label per training feature");
}

}  // namespace

at::Tensor knnPredict(const at::Tensor& trainFeatures, const at::Tensor& trainLabels, const at::Tensor& testFeatures,
                      const KnnOptions& options) {
  checkShapes(trainFeatures, trainLabels, testFeatures);
  if (options.k < 1 || !(options.temperature > 0))
    throw std::invalid_argument("knn: k must be >= 1 and temperature > 0");
  const at::Tensor train = unitRows(trainFeatures.to(at::kFloat));
  const at::Tensor labels = trainLabels.to(train.device(), at::kLong);
  const int64_t classes = options.classes > 0 ? options.classes : labels.max().item<int64_t>() + 1;
  const int64_t k = std::min(options.k, train.size(0));
  const at::Tensor test = unitRows(testFeatures.to(train.device(), at::kFloat));
  std::vector<at::Tensor> predictions;
  for (int64_t start = 0; start < test.size(0); start += options.chunk) {
    const at::Tensor block = test.slice(0, start, std::min(start + options.chunk, test.size(0)));
    auto [similarity, index] = block.matmul(train.t()).topk(k, 1);
    const at::Tensor weights = (similarity / options.temperature).exp();
    const at::Tensor neighbourLabels = labels.index_select(0, index.reshape(-1)).view_as(index);
    const at::Tensor votes =
        at::zeros({block.size(0), classes}, weights.options()).scatter_add_(1, neighbourLabels, weights);
    predictions.push_back(votes.argmax(1));
  }
  return predictions.empty() ? at::empty({0}, at::kLong) : at::cat(predictions);
}

at::Tensor knnGrid(const at::Tensor& trainFeatures, const at::Tensor& trainLabels, const at::Tensor& testFeatures,
                   const KnnGridOptions& options) {
  checkShapes(trainFeatures, trainLabels, testFeatures);
  if (options.ks.empty() || options.temperatures.empty())
    throw std::invalid_argument("knn: give at least one k and one temperature");
  for (int64_t k : options.ks)
    if (k < 1) throw std::invalid_argument("knn: every k must be >= 1");
  for (double t : options.temperatures)
    if (!(t > 0)) throw std::invalid_argument("knn: every temperature must be > 0");
  const at::Tensor train = unitRows(trainFeatures.to(at::kFloat));
  const at::Tensor labels = trainLabels.to(train.device(), at::kLong);
  const int64_t classes = options.classes > 0 ? options.classes : labels.max().item<int64_t>() + 1;
  const int64_t top = std::min(options.top, classes);
  const int64_t kMax = std::min(*std::max_element(options.ks.begin(), options.ks.end()), train.size(0));
  const at::Tensor test = unitRows(testFeatures.to(train.device(), at::kFloat));
  const auto nk = static_cast<int64_t>(options.ks.size()), nt = static_cast<int64_t>(options.temperatures.size());
  at::Tensor out = at::empty({nk, nt, test.size(0), top}, at::kLong);
  for (int64_t start = 0; start < test.size(0); start += options.chunk) {
    const int64_t end = std::min(start + options.chunk, test.size(0));
    const at::Tensor block = test.slice(0, start, end);
    auto [similarity, index] = block.matmul(train.t()).topk(kMax, 1);  // sorted, nearest first
    const at::Tensor neighbourLabels = labels.index_select(0, index.reshape(-1)).view_as(index);
    for (int64_t ti = 0; ti < nt; ++ti) {
      const at::Tensor weights = (similarity / options.temperatures[ti]).exp();
      for (int64_t ki = 0; ki < nk; ++ki) {
        const int64_t k = std::min(options.ks[ki], kMax);
        const at::Tensor votes = at::zeros({end - start, classes}, weights.options())
                                     .scatter_add_(1, neighbourLabels.narrow(1, 0, k), weights.narrow(1, 0, k));
        auto [best, ranked] = votes.topk(top, 1);
        // A class no neighbour voted for is no prediction (not a lucky top-5 tie).
        out[ki][ti].slice(0, start, end).copy_(ranked.masked_fill(best <= 0, -1).cpu());
      }
    }
  }
  return out;
}

}  // namespace mveb
