#include "models/vit.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>

#include "torch_compat.h"

namespace mveb {
namespace {

torch::nn::LayerNorm layerNorm(int64_t dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));
}

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(int64_t dim, int64_t heads) : heads_(heads) {
    qkv_ = register_module("qkv", torch::nn::Linear(dim, dim * 3));
    proj_ = register_module("proj", torch::nn::Linear(dim, dim));
  }

  at::Tensor forward(const at::Tensor& x) {
    const int64_t b = x.size(0), n = x.size(1), c = x.size(2);
    // [3, B, heads, N, head_dim]
    at::Tensor qkv = qkv_(x).reshape({b, n, 3, heads_, c / heads_}).permute({2, 0, 3, 1, 4});
    at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
#if MVEB_HAS_FUSED_ATTENTION
    at::Tensor out = at::scaled_dot_product_attention(q, k, v);
#else
    at::Tensor attention = at::softmax(at::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(c / heads_)), -1);
    at::Tensor out = at::matmul(attention, v);
#endif
    return proj_(out.transpose(1, 2).reshape({b, n, c}));
  }

 private:
  int64_t heads_;
  torch::nn::Linear qkv_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(int64_t dim, int64_t hidden) {
    fc1_ = register_module("fc1", torch::nn::Linear(dim, hidden));
    fc2_ = register_module("fc2", torch::nn::Linear(hidden, dim));
  }
  at::Tensor forward(const at::Tensor& x) { return fc2_(at::gelu(fc1_(x))); }

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(Mlp);

// Pre-norm transformer block.
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(int64_t dim, int64_t heads, int64_t hidden) {
    norm1_ = register_module("norm1", layerNorm(dim));
    attn_ = register_module("attn", Attention(dim, heads));
    norm2_ = register_module("norm2", layerNorm(dim));
    mlp_ = register_module("mlp", Mlp(dim, hidden));
  }
  at::Tensor forward(at::Tensor x) {
    x = x + attn_(norm1_(x));
    return x + mlp_(norm2_(x));
  }

 private:
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  Attention attn_{nullptr};
  Mlp mlp_{nullptr};
};
TORCH_MODULE(Block);

class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(int64_t patch, int64_t dim) {
    proj_ = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, dim, patch).stride(patch)));
  }
  at::Tensor forward(const at::Tensor& images) { return proj_(images).flatten(2).transpose(1, 2); }

 private:
  torch::nn::Conv2d proj_{nullptr};
};
TORCH_MODULE(PatchEmbed);

class ViT : public Backbone {
 public:
  explicit ViT(const ViTOptions& options) : options_(options) {
    TORCH_CHECK(options.embedDim % options.heads == 0, "ViT: embedDim must be a multiple of heads");
    const int64_t grid = options.imageSize / options.patch;
    patchEmbed_ = register_module("patch_embed", PatchEmbed(options.patch, options.embedDim));
    clsToken_ = register_parameter("cls_token", at::zeros({1, 1, options.embedDim}));
    posEmbed_ = register_parameter("pos_embed", at::zeros({1, 1 + grid * grid, options.embedDim}));
    blocks_ = register_module("blocks", torch::nn::ModuleList());
    const auto hidden = static_cast<int64_t>(options.embedDim * options.mlpRatio);
    for (int64_t i = 0; i < options.depth; ++i) blocks_->push_back(Block(options.embedDim, options.heads, hidden));
    norm_ = register_module("norm", layerNorm(options.embedDim));
    initialise();
  }

  at::Tensor forward(const at::Tensor& images) override {
    at::Tensor x = patchEmbed_(images);
    const int64_t gridH = images.size(2) / options_.patch, gridW = images.size(3) / options_.patch;
    x = at::cat({clsToken_.expand({x.size(0), -1, -1}), x}, 1) + positionEmbedding(gridH, gridW);
    for (const auto& block : *blocks_) x = block->as<Block>()->forward(x);
    return norm_(x).select(1, 0);
  }

  int64_t featureDim() const override { return options_.embedDim; }

 private:
  // Learned for the training grid; bicubically resized for other image sizes (e.g. 96 px local crops).
  at::Tensor positionEmbedding(int64_t gridH, int64_t gridW) {
    const int64_t grid = options_.imageSize / options_.patch;
    if (gridH == grid && gridW == grid) return posEmbed_;
    at::Tensor cls = posEmbed_.slice(1, 0, 1);
    at::Tensor patches = posEmbed_.slice(1, 1).reshape({1, grid, grid, -1}).permute({0, 3, 1, 2});
    patches = at::upsample_bicubic2d(patches, {gridH, gridW}, /*align_corners=*/false);
    return at::cat({cls, patches.permute({0, 2, 3, 1}).reshape({1, gridH * gridW, -1})}, 1);
  }

  void initialise() {
    torch::NoGradGuard noGrad;
    // As timm: normal (std 0.02; timm truncates at ±2, which never binds) for position
    // embeddings, class token and linear weights, zero biases, unit LayerNorms; the patch
    // projection keeps LibTorch's default.
    auto smallNormal = [](at::Tensor& t) { t.normal_(0, 0.02); };
    smallNormal(posEmbed_);
    smallNormal(clsToken_);
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<torch::nn::Linear>()) {
        smallNormal(linear->weight);
        linear->bias.zero_();
      } else if (auto* norm = module->as<torch::nn::LayerNorm>()) {
        norm->weight.fill_(1);
        norm->bias.zero_();
      }
    }
  }

  ViTOptions options_;
  PatchEmbed patchEmbed_{nullptr};
  at::Tensor clsToken_, posEmbed_;
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
};

}  // namespace

ViTOptions vitSmall16() { return ViTOptions{384, 12, 6, 16, 224, 4.0}; }
ViTOptions vitBase16() { return ViTOptions{768, 12, 12, 16, 224, 4.0}; }

std::shared_ptr<Backbone> makeViT(const ViTOptions& options) { return std::make_shared<ViT>(options); }

}  // namespace mveb
