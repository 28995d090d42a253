// Photometric augmentation of whole batches (DINO's recipe): colour jitter in a random
// order per sample, random grayscale, Gaussian blur, solarisation, then normalisation.
// Matches torchvision's tensor transforms on float images.
#pragma once

#include <ATen/Tensor.h>

#include <array>
#include <cstdint>

namespace mveb {

struct PhotometricSpec {
  double jitterProb = 0.8;
  double brightness = 0.4;  // factor ~ U[1 − b, 1 + b]
  double contrast = 0.4;
  double saturation = 0.2;
  double hue = 0.1;  // shift ~ U[−h, h]
  double grayscaleProb = 0.2;
  double blurProb = 1.0;
  double sigmaMin = 0.1;
  double sigmaMax = 2.0;
  int64_t blurKernel = 0;  // odd; 0 = 2·ceil(3·sigmaMax) + 1
  double solarizeProb = 0.0;
  double solarizeThreshold = 128.0 / 255.0;  // PIL's ImageOps.solarize(128), as DINO uses
  std::array<double, 3> mean{0.485, 0.456, 0.406};
  std::array<double, 3> std{0.229, 0.224, 0.225};
};

// Jitter operations, in torchvision's numbering (ColorJitter's fn_idx).
enum JitterOp : int64_t { kBrightness = 0, kContrast = 1, kSaturation = 2, kHue = 3 };

// One row per sample, CPU tensors, so a run is reproducible whatever the device.
struct PhotometricParams {
  at::Tensor jitter;     // bool [N]
  at::Tensor order;      // int64 [N, 4]: a permutation of the JitterOps
  at::Tensor factors;    // float64 [N, 4]: brightness, contrast, saturation, hue
  at::Tensor grayscale;  // bool [N]
  at::Tensor blur;       // bool [N]
  at::Tensor sigma;      // float64 [N]
  at::Tensor solarize;   // bool [N]
};

// Throws std::invalid_argument naming the bad field.
void validateSpec(const PhotometricSpec& spec);
int64_t blurKernelSize(const PhotometricSpec& spec);
PhotometricParams drawPhotometricParams(int64_t count, const PhotometricSpec& spec, uint64_t seed);
void validateParams(const PhotometricParams& params, int64_t count);

enum class PhotometricImpl { Auto, Fused, Aten };

// uint8 [N, H, W, 3] → float32 [N, 3, H, W], normalised, on the batch's device.
// Auto: the fused per-sample kernel on CPU, ATen batch ops elsewhere.
at::Tensor photometricAugment(const at::Tensor& batch, const PhotometricParams& params, const PhotometricSpec& spec,
                              PhotometricImpl impl = PhotometricImpl::Auto);

// The two implementations behind it (both tested against torchvision).
at::Tensor photometricFusedCpu(const at::Tensor& batch, const PhotometricParams& params, const PhotometricSpec& spec);
at::Tensor photometricAten(const at::Tensor& batch, const PhotometricParams& params, const PhotometricSpec& spec);

// torchvision's _get_gaussian_kernel1d, in float64.
std::vector<double> gaussianKernel1d(int64_t size, double sigma);

}  // namespace mveb
