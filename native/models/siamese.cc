#include "models/siamese.h"

#include <ATen/ATen.h>

#include "models/resnet.h"
#include "models/vit.h"
#include "mveb/ema.h"
#include "torch_compat.h"

namespace mveb {

std::shared_ptr<Backbone> makeBackbone(const ModelOptions& options) {
  switch (options.arch) {
    case Architecture::ResNet18:
      return makeResNet({18, options.smallStem, options.zeroInitResidual});
    case Architecture::ResNet34:
      return makeResNet({34, options.smallStem, options.zeroInitResidual});
    case Architecture::ResNet50:
      return makeResNet({50, options.smallStem, options.zeroInitResidual});
    case Architecture::ResNet101:
      return makeResNet({101, options.smallStem, options.zeroInitResidual});
    case Architecture::ViTSmall16:
    case Architecture::ViTBase16: {
      ViTOptions vit = options.arch == Architecture::ViTSmall16 ? vitSmall16() : vitBase16();
      vit.imageSize = options.imageSize;
      return makeViT(vit);
    }
  }
  TORCH_CHECK(false, "unknown architecture");
}

BranchImpl::BranchImpl(std::shared_ptr<Backbone> backbone, torch::nn::Sequential projector)
    : backbone_(register_module("backbone", std::move(backbone))),
      projector_(register_module("projector", std::move(projector))) {}

SiameseModelImpl::SiameseModelImpl(const ModelOptions& options) : options_(options) {
  auto backbone = makeBackbone(options);
  const int64_t featureDim = backbone->featureDim();
  online_ = register_module("online", Branch(backbone, makeProjector(featureDim, options.projector)));
  if (options.target == TargetKind::Ema) {
    target_ = register_module("target", Branch(makeBackbone(options), makeProjector(featureDim, options.projector)));
    torch::NoGradGuard noGrad;
    auto from = online_->named_parameters();
    for (auto& p : target_->named_parameters()) {
      p.value().copy_(from[p.key()]);
      p.value().requires_grad_(false);
    }
    auto fromBuffers = online_->named_buffers();
    for (auto& b : target_->named_buffers()) b.value().copy_(fromBuffers[b.key()]);
  }
}

at::Tensor SiameseModelImpl::withForwardSettings(const at::Tensor& images,
                                                 const std::function<at::Tensor(const at::Tensor&)>& forward) {
  const bool cuda = images.is_cuda();
  const ForwardPrecision precision = options_.precision;
  const bool channelsLast =
      options_.channelsLast == ChannelsLast::On || (options_.channelsLast == ChannelsLast::Auto && cuda);
  at::Tensor input = images;
  if (channelsLast) {
    if (!channelsLastWeights_) {
      torch::NoGradGuard noGrad;
      for (auto& p : parameters()) {
        if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
      }
      channelsLastWeights_ = true;
    }
    if (input.dim() == 4) input = input.contiguous(at::MemoryFormat::ChannelsLast);
  }
  if (precision == ForwardPrecision::Fp32 || (precision == ForwardPrecision::Auto && !cuda))
    return forward(input).to(at::kFloat);
  const at::ScalarType dtype = precision == ForwardPrecision::Fp16 ? at::kHalf : at::kBFloat16;
  compat::AutocastGuard autocast(images.device().type(), dtype);
  return forward(input).to(at::kFloat);
}

at::Tensor SiameseModelImpl::embedWith(Branch& branch, const at::Tensor& images) {
  at::Tensor z = withForwardSettings(images, [&](const at::Tensor& x) { return branch->project(x); });
  return z / z.norm(2, 1, true).clamp_min(1e-12);
}

at::Tensor SiameseModelImpl::backboneFeatures(const at::Tensor& images) {
  return withForwardSettings(images, [&](const at::Tensor& x) { return online_->features(x); });
}

std::vector<at::Tensor> SiameseModelImpl::embed(const std::vector<at::Tensor>& views) {
  std::vector<at::Tensor> out;
  out.reserve(views.size());
  for (const auto& view : views) out.push_back(embedWith(online_, view));
  return out;
}

std::vector<at::Tensor> SiameseModelImpl::targetEmbed(const std::vector<at::Tensor>& globalViews) {
  torch::NoGradGuard noGrad;
  Branch& branch = target_ ? target_ : online_;
  std::vector<at::Tensor> out;
  for (const auto& view : globalViews) out.push_back(embedWith(branch, view));
  return out;
}

void SiameseModelImpl::updateTarget(double momentum) {
  if (!target_) return;
  emaUpdate(target_->parameters(), online_->parameters(), momentum);
  torch::NoGradGuard noGrad;
  auto online = online_->buffers();
  auto target = target_->buffers();
  for (size_t i = 0; i < target.size(); ++i) target[i].copy_(online[i]);
}

}  // namespace mveb
