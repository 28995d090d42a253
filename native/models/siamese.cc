#include "models/siamese.h"

#include <ATen/ATen.h>

#include "models/resnet.h"
#include "models/vit.h"
#include "mveb/ema.h"
#include "torch_compat.h"

namespace mveb {

std::shared_ptr<Backbone> makeBackbone(const ModelOptions& options) {
  const std::string& arch = options.arch;
  if (arch.rfind("resnet", 0) == 0) {
    const std::string depth = arch.substr(6);
    TORCH_CHECK(depth == "18" || depth == "34" || depth == "50" || depth == "101", "unknown arch '", arch,
                "' (resnet18, resnet34, resnet50, resnet101, vit_small_16, vit_base_16)");
    return makeResNet({std::stoi(depth), options.smallStem, options.zeroInitResidual});
  }
  if (arch == "vit_small_16" || arch == "vit_base_16") {
    ViTOptions vit = arch == "vit_small_16" ? vitSmall16() : vitBase16();
    vit.imageSize = options.imageSize;
    return makeViT(vit);
  }
  TORCH_CHECK(false, "unknown arch '", arch, "' (resnet18, resnet34, resnet50, resnet101, vit_small_16, vit_base_16)");
}

BranchImpl::BranchImpl(std::shared_ptr<Backbone> backbone, torch::nn::Sequential projector)
    : backbone_(register_module("backbone", std::move(backbone))),
      projector_(register_module("projector", std::move(projector))) {}


SiameseModelImpl::SiameseModelImpl(const ModelOptions& options) : options_(options) {
  TORCH_CHECK(options.target == "ema" || options.target == "shared", "target must be 'ema' or 'shared', got '",
              options.target, "'");
  const auto& p = options.precision;
  TORCH_CHECK(p == "auto" || p == "fp32" || p == "fp16" || p == "bf16",
              "precision must be 'auto', 'fp32', 'fp16' or 'bf16', got '", p, "'");
  const auto& c = options.channelsLast;
  TORCH_CHECK(c == "auto" || c == "on" || c == "off", "channelsLast must be 'auto', 'on' or 'off', got '", c, "'");
  auto backbone = makeBackbone(options);
  const int64_t featureDim = backbone->featureDim();
  online_ = register_module("online", Branch(backbone, makeProjector(featureDim, options.projector)));
  if (options.target == "ema") {
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
  const std::string& precision = options_.precision;
  const bool channelsLast = options_.channelsLast == "on" || (options_.channelsLast == "auto" && cuda);
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
  if (precision == "fp32" || (precision == "auto" && !cuda)) return forward(input).to(at::kFloat);
  const at::ScalarType dtype = precision == "fp16" ? at::kHalf : at::kBFloat16;
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
