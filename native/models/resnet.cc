#include "models/resnet.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include <vector>

#include "models/batch_norm.h"

namespace mveb {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

// BasicBlock (two 3×3) or Bottleneck (1×1, 3×3 with the stride, 1×1 ×4), as torchvision.
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(bool bottleneck, int64_t inplanes, int64_t planes, int64_t stride) : bottleneck_(bottleneck) {
    const int64_t out = bottleneck ? planes * 4 : planes;
    if (bottleneck) {
      conv1_ = register_module("conv1", conv(inplanes, planes, 1, 1));
      bn1_ = register_module("bn1", BatchNorm(planes));
      conv2_ = register_module("conv2", conv(planes, planes, 3, stride));
      bn2_ = register_module("bn2", BatchNorm(planes));
      conv3_ = register_module("conv3", conv(planes, out, 1, 1));
      bn3_ = register_module("bn3", BatchNorm(out));
    } else {
      conv1_ = register_module("conv1", conv(inplanes, planes, 3, stride));
      bn1_ = register_module("bn1", BatchNorm(planes));
      conv2_ = register_module("conv2", conv(planes, planes, 3, 1));
      bn2_ = register_module("bn2", BatchNorm(planes));
    }
    if (stride != 1 || inplanes != out) {
      downsample_ =
          register_module("downsample", torch::nn::Sequential(conv(inplanes, out, 1, stride), BatchNorm(out)));
    }
  }

  // In-place ReLU and residual add, as torchvision: each saves a full activation per layer.
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor y = bn1_(conv1_(x)).relu_();
    y = bn2_(conv2_(y));
    if (bottleneck_) y = bn3_(conv3_(y.relu_()));
    y += downsample_ ? downsample_->forward(x) : x;
    return y.relu_();
  }

  BatchNorm& lastNorm() { return bottleneck_ ? bn3_ : bn2_; }

 private:
  bool bottleneck_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  BatchNorm bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Block);

struct Layout {
  bool bottleneck;
  std::vector<int64_t> blocks;
};

Layout layoutOf(int depth) {
  switch (depth) {
    case 18:
      return {false, {2, 2, 2, 2}};
    case 34:
      return {false, {3, 4, 6, 3}};
    case 50:
      return {true, {3, 4, 6, 3}};
    case 101:
      return {true, {3, 4, 23, 3}};
    default:
      TORCH_CHECK(false, "ResNet depth must be 18, 34, 50 or 101, got ", depth);
  }
}

class ResNet : public Backbone {
 public:
  explicit ResNet(const ResNetOptions& options) : smallStem_(options.smallStem) {
    const Layout layout = layoutOf(options.depth);
    conv1_ = register_module("conv1", options.smallStem ? conv(3, 64, 3, 1) : conv(3, 64, 7, 2));
    bn1_ = register_module("bn1", BatchNorm(64));
    int64_t inplanes = 64;
    const int64_t planes[] = {64, 128, 256, 512};
    for (size_t stage = 0; stage < 4; ++stage) {
      torch::nn::Sequential layer;
      for (int64_t b = 0; b < layout.blocks[stage]; ++b) {
        const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
        Block block(layout.bottleneck, inplanes, planes[stage], stride);
        inplanes = layout.bottleneck ? planes[stage] * 4 : planes[stage];
        layer->push_back(block);
        blocks_.push_back(block);
      }
      layers_.push_back(register_module("layer" + std::to_string(stage + 1), layer));
    }
    featureDim_ = inplanes;
    initialise(options.zeroInitResidual);
  }

  at::Tensor forward(const at::Tensor& images) override {
    at::Tensor x = bn1_(conv1_(images)).relu_();
    if (!smallStem_) x = at::max_pool2d(x, 3, 2, 1);
    for (auto& layer : layers_) x = layer->forward(x);
    return at::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  }

  int64_t featureDim() const override { return featureDim_; }

 private:
  void initialise(bool zeroInitResidual) {
    torch::NoGradGuard noGrad;
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* c = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::kaiming_normal_(c->weight, 0, torch::kFanOut, torch::kReLU);
      } else if (auto* bn = module->as<BatchNormImpl>()) {
        bn->weight.fill_(1);
        bn->bias.zero_();
      }
    }
    if (zeroInitResidual) {
      for (auto& block : blocks_) block->lastNorm()->weight.zero_();
    }
  }

  bool smallStem_;
  int64_t featureDim_ = 0;
  torch::nn::Conv2d conv1_{nullptr};
  BatchNorm bn1_{nullptr};
  std::vector<torch::nn::Sequential> layers_;
  std::vector<Block> blocks_;
};

}  // namespace

std::shared_ptr<Backbone> makeResNet(const ResNetOptions& options) { return std::make_shared<ResNet>(options); }

}  // namespace mveb
