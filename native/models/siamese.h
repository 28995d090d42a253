// The Siamese network of MVEB: an online branch (backbone + projector) and a target branch,
// an EMA copy of it or the online branch itself ("shared").
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/backbone.h"
#include "models/projector.h"

namespace mveb {

// Parsed once, at the binding (napi/model_wrap.cc): the domain sees only valid values.
enum class Architecture { ResNet18, ResNet34, ResNet50, ResNet101, ViTSmall16, ViTBase16 };
enum class TargetKind { Ema, Shared };  // EMA copy of the online branch, or the online branch
// "auto": bf16 autocast on CUDA, fp32 on CPU.
enum class ForwardPrecision { Auto, Fp32, Fp16, Bf16 };
enum class ChannelsLast { Auto, On, Off };  // "auto": on for CUDA inputs

struct ModelOptions {
  Architecture arch = Architecture::ResNet50;
  bool smallStem = false;        // ResNet only
  bool zeroInitResidual = true;  // ResNet only
  int64_t imageSize = 224;       // ViT only: the size its position embeddings are learned for
  ProjectorOptions projector;
  TargetKind target = TargetKind::Ema;
  ForwardPrecision precision = ForwardPrecision::Auto;
  ChannelsLast channelsLast = ChannelsLast::Auto;
};

// Backbone and projector, registered as "backbone" and "projector".
class BranchImpl : public torch::nn::Module {
 public:
  BranchImpl(std::shared_ptr<Backbone> backbone, torch::nn::Sequential projector);
  at::Tensor features(const at::Tensor& images) { return backbone_->forward(images); }
  // Projector output, not normalised.
  at::Tensor project(const at::Tensor& images) { return projector_->forward(backbone_->forward(images)); }
  Backbone& backbone() { return *backbone_; }
  torch::nn::Sequential& projector() { return projector_; }

 private:
  std::shared_ptr<Backbone> backbone_;
  torch::nn::Sequential projector_;
};
TORCH_MODULE(Branch);

class SiameseModelImpl : public torch::nn::Module {
 public:
  explicit SiameseModelImpl(const ModelOptions& options);

  // Online embeddings of every view (views may differ in size: global and local crops).
  std::vector<at::Tensor> embed(const std::vector<at::Tensor>& views);
  // Target embeddings of the global views, without autograd.
  std::vector<at::Tensor> targetEmbed(const std::vector<at::Tensor>& globalViews);
  // Pooled features of the online backbone, in float32 (with autograd unless disabled).
  at::Tensor backboneFeatures(const at::Tensor& images);
  // target ← m·target + (1 − m)·online for parameters; buffers (BN statistics) are copied.
  void updateTarget(double momentum);

  Branch& online() { return online_; }
  // False for a shared target (the online branch serves as its own target).
  bool hasEmaTarget() const { return static_cast<bool>(target_); }

 private:
  // L2-normalised float32 embeddings of one view through `branch`, with the forward settings.
  at::Tensor embedWith(Branch& branch, const at::Tensor& images);
  // Runs `forward` under the precision and memory format chosen for `images`' device.
  at::Tensor withForwardSettings(const at::Tensor& images, const std::function<at::Tensor(const at::Tensor&)>& forward);

  ModelOptions options_;
  bool channelsLastWeights_ = false;
  Branch online_{nullptr};
  Branch target_{nullptr};
};
TORCH_MODULE(SiameseModel);

std::shared_ptr<Backbone> makeBackbone(const ModelOptions& options);

}  // namespace mveb
