#include "mveb/collapse_study.h"

#include <torch/torch.h>

#include "mveb/ema.h"
#include "mveb/loss.h"

namespace mveb {
namespace {

torch::nn::Sequential makeEncoder(int64_t inputs, int64_t hidden, int64_t embedding) {
  return torch::nn::Sequential(torch::nn::Flatten(),
                               torch::nn::Linear(torch::nn::LinearOptions(inputs, hidden).bias(false)),
                               torch::nn::BatchNorm1d(hidden), torch::nn::ReLU(),
                               torch::nn::Linear(torch::nn::LinearOptions(hidden, hidden).bias(false)),
                               torch::nn::BatchNorm1d(hidden), torch::nn::ReLU(), torch::nn::Linear(hidden, embedding));
}

// A random shift of up to 3 pixels (zero padding), contrast in [0.6, 1.4] and Gaussian noise.
at::Tensor augment(const at::Tensor& batch, at::Generator& generator) {
  const int64_t n = batch.size(0), h = batch.size(1), w = batch.size(2);
  constexpr int64_t pad = 3;
  at::Tensor padded = at::constant_pad_nd(batch, {pad, pad, pad, pad}, 0);
  at::Tensor offsets = at::randint(0, 2 * pad + 1, {n, 2}, generator, at::TensorOptions().dtype(at::kLong));
  at::Tensor rows = (at::arange(h).unsqueeze(0) + offsets.select(1, 0).unsqueeze(1));  // [n, h]
  at::Tensor cols = (at::arange(w).unsqueeze(0) + offsets.select(1, 1).unsqueeze(1));  // [n, w]
  at::Tensor index = at::arange(n).view({n, 1, 1});
  at::Tensor shifted = padded.index({index, rows.unsqueeze(2), cols.unsqueeze(1)});
  at::Tensor contrast = at::rand({n, 1, 1}, generator) * 0.8 + 0.6;
  at::Tensor mean = shifted.mean({1, 2}, true);
  at::Tensor noise = at::randn(shifted.sizes(), generator) * 0.1;
  return (shifted - mean) * contrast + mean + noise;
}

double meanPerDimensionStd(const at::Tensor& embeddings) { return embeddings.std(0).mean().item<double>(); }

}  // namespace

CollapseStudyResult runCollapseStudy(const at::Tensor& images, const CollapseStudyOptions& options) {
  TORCH_CHECK(images.dim() == 3 && images.scalar_type() == at::kByte,
              "collapseStudy: images must be uint8 [M, H, W], got ", images.scalar_type(), " ", images.sizes());
  TORCH_CHECK(images.size(0) >= options.batch, "collapseStudy: ", images.size(0), " images for a batch of ",
              options.batch);
  TORCH_CHECK(options.steps > 0 && options.batch > 1 && options.logEvery > 0,
              "collapseStudy: steps, batch and logEvery must be positive (batch > 1)");

  torch::manual_seed(options.seed);  // parameter initialisation
  at::Generator generator = at::detail::createCPUGenerator(options.seed + 1);
  const at::Tensor data = images.to(at::kFloat) / 255;
  const int64_t inputs = images.size(1) * images.size(2);

  auto online = makeEncoder(inputs, options.hidden, options.embedding);
  auto target = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(online->clone());
  for (auto& p : target->parameters()) p.requires_grad_(false);
  torch::optim::SGD optimizer(online->parameters(),
                              torch::optim::SGDOptions(options.lr).momentum(0.9).weight_decay(options.weightDecay));
  std::vector<at::Tensor> onlineParams = online->parameters();
  std::vector<at::Tensor> targetParams = target->parameters();
  MvebLossOptions lossOptions;
  lossOptions.beta = options.beta;

  CollapseStudyResult result;
  for (int64_t step = 1; step <= options.steps; ++step) {
    at::Tensor index =
        at::randperm(data.size(0), generator, at::TensorOptions().dtype(at::kLong)).slice(0, 0, options.batch);
    at::Tensor batch = data.index_select(0, index);
    at::Tensor view1 = augment(batch, generator);
    at::Tensor view2 = augment(batch, generator);
    at::Tensor z1 = torch::nn::functional::normalize(online->forward(view1));
    at::Tensor z2 = torch::nn::functional::normalize(online->forward(view2));
    std::vector<at::Tensor> targets;
    {
      torch::NoGradGuard noGrad;
      targets = {torch::nn::functional::normalize(target->forward(view1)),
                 torch::nn::functional::normalize(target->forward(view2))};
    }
    MvebLossResult loss = mvebLoss({z1, z2}, targets, lossOptions);
    optimizer.zero_grad();
    loss.loss.backward();
    optimizer.step();
    emaUpdate(targetParams, onlineParams, options.emaMomentum);
    if (step % options.logEvery == 0 || step == options.steps) {
      result.steps.push_back(step);
      result.embeddingStd.push_back(meanPerDimensionStd(z1.detach()));
      result.loss.push_back(loss.loss.item<double>());
      result.alignment.push_back(loss.alignment.item<double>());
    }
  }
  return result;
}

}  // namespace mveb
