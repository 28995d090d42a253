// The CPU implementation: one sample at a time, all operations on a planar float copy
// that stays in cache, samples spread over LibTorch's intra-op threads.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "augment/photometric.h"
#include "augment/pixel_math.h"
#include "simd.h"

namespace mveb {
namespace {

struct Planes {
  float* r;
  float* g;
  float* b;
  int64_t pixels;
};

MVEB_SIMD_CLONES void adjustBrightness(Planes& x, float factor) {
  for (int64_t i = 0; i < x.pixels; ++i) {
    x.r[i] = pixel::blend(x.r[i], 0.f, factor);
    x.g[i] = pixel::blend(x.g[i], 0.f, factor);
    x.b[i] = pixel::blend(x.b[i], 0.f, factor);
  }
}

MVEB_SIMD_CLONES void adjustContrast(Planes& x, float factor) {
  double sum = 0.0;
  for (int64_t i = 0; i < x.pixels; ++i) sum += pixel::gray(x.r[i], x.g[i], x.b[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(x.pixels));
  for (int64_t i = 0; i < x.pixels; ++i) {
    x.r[i] = pixel::blend(x.r[i], mean, factor);
    x.g[i] = pixel::blend(x.g[i], mean, factor);
    x.b[i] = pixel::blend(x.b[i], mean, factor);
  }
}

MVEB_SIMD_CLONES void adjustSaturation(Planes& x, float factor) {
  for (int64_t i = 0; i < x.pixels; ++i) {
    const float gray = pixel::gray(x.r[i], x.g[i], x.b[i]);
    x.r[i] = pixel::blend(x.r[i], gray, factor);
    x.g[i] = pixel::blend(x.g[i], gray, factor);
    x.b[i] = pixel::blend(x.b[i], gray, factor);
  }
}

MVEB_SIMD_CLONES void adjustHue(Planes& x, float shift) {
  for (int64_t i = 0; i < x.pixels; ++i) pixel::shiftHue(x.r[i], x.g[i], x.b[i], shift);
}

MVEB_SIMD_CLONES void toGrayscale(Planes& x) {
  for (int64_t i = 0; i < x.pixels; ++i) x.r[i] = x.g[i] = x.b[i] = pixel::gray(x.r[i], x.g[i], x.b[i]);
}

// Separable Gaussian blur with reflect padding; `scratch` holds one plane. Both passes
// run as "row += weight × shifted row" so the inner loops vectorise; only the few
// border columns need the reflected index.
MVEB_SIMD_CLONES void blurPlane(float* plane, int height, int width, const std::vector<float>& kernel,
                                std::vector<float>& scratch) {
  const int taps = static_cast<int>(kernel.size());
  const int half = taps / 2;
  const int interiorEnd = width - half;
  for (int y = 0; y < height; ++y) {
    const float* row = plane + static_cast<int64_t>(y) * width;
    float* out = scratch.data() + static_cast<int64_t>(y) * width;
    for (int x = 0; x < width; ++x) out[x] = 0.f;
    for (int k = 0; k < taps; ++k) {
      const float w = kernel[k];
      const float* shifted = row + k - half;
      for (int x = half; x < interiorEnd; ++x) out[x] += w * shifted[x];
    }
    const int leftEnd = std::min(half, width);
    const int rightStart = std::max(interiorEnd, leftEnd);
    auto border = [&](int x) {
      float acc = 0.f;
      for (int k = 0; k < taps; ++k) acc += kernel[k] * row[pixel::reflectIndex(x + k - half, width)];
      return acc;
    };
    for (int x = 0; x < leftEnd; ++x) out[x] = border(x);
    for (int x = rightStart; x < width; ++x) out[x] = border(x);
  }
  for (int y = 0; y < height; ++y) {
    float* out = plane + static_cast<int64_t>(y) * width;
    for (int x = 0; x < width; ++x) out[x] = 0.f;
    for (int k = 0; k < taps; ++k) {
      const float* row = scratch.data() + static_cast<int64_t>(pixel::reflectIndex(y + k - half, height)) * width;
      const float w = kernel[k];
      for (int x = 0; x < width; ++x) out[x] += w * row[x];
    }
  }
}

struct SampleParams {
  bool jitter;
  const int64_t* order;
  const double* factors;
  bool grayscale;
  bool blur;
  double sigma;
  bool solarize;
};

// One image: uint8 HWC in, normalised float CHW out, via the planar work buffer.
MVEB_SIMD_CLONES void processSample(const uint8_t* src, float* dst, int height, int width, const SampleParams& p,
                                    const PhotometricSpec& spec, int64_t kernelSize, std::vector<float>& work,
                                    std::vector<float>& scratch) {
  const int64_t pixels = static_cast<int64_t>(height) * width;
  Planes x{work.data(), work.data() + pixels, work.data() + 2 * pixels, pixels};
  for (int64_t i = 0; i < pixels; ++i) {
    x.r[i] = src[3 * i] / 255.f;
    x.g[i] = src[3 * i + 1] / 255.f;
    x.b[i] = src[3 * i + 2] / 255.f;
  }
  if (p.jitter) {
    for (int k = 0; k < 4; ++k) {
      // An operation whose range is 0 is not applied, as in torchvision's ColorJitter.
      switch (p.order[k]) {
        case kBrightness:
          if (spec.brightness > 0) adjustBrightness(x, static_cast<float>(p.factors[kBrightness]));
          break;
        case kContrast:
          if (spec.contrast > 0) adjustContrast(x, static_cast<float>(p.factors[kContrast]));
          break;
        case kSaturation:
          if (spec.saturation > 0) adjustSaturation(x, static_cast<float>(p.factors[kSaturation]));
          break;
        default:
          if (spec.hue > 0) adjustHue(x, static_cast<float>(p.factors[kHue]));
          break;
      }
    }
  }
  if (p.grayscale) toGrayscale(x);
  if (p.blur) {
    const std::vector<double> k64 = gaussianKernel1d(kernelSize, p.sigma);
    const std::vector<float> kernel(k64.begin(), k64.end());
    for (float* plane : {x.r, x.g, x.b}) blurPlane(plane, height, width, kernel, scratch);
  }
  const float threshold = static_cast<float>(spec.solarizeThreshold);
  for (int c = 0; c < 3; ++c) {
    const float* plane = work.data() + c * pixels;
    const float mean = static_cast<float>(spec.mean[c]);
    const float inverseStd = static_cast<float>(1.0 / spec.std[c]);
    float* out = dst + c * pixels;
    if (p.solarize) {
      for (int64_t i = 0; i < pixels; ++i) out[i] = (pixel::solarize(plane[i], threshold) - mean) * inverseStd;
    } else {
      for (int64_t i = 0; i < pixels; ++i) out[i] = (plane[i] - mean) * inverseStd;
    }
  }
}

}  // namespace

at::Tensor photometricFusedCpu(const at::Tensor& batchIn, const PhotometricParams& params,
                               const PhotometricSpec& spec) {
  const at::Tensor batch = batchIn.contiguous();
  const int64_t count = batch.size(0);
  const int height = static_cast<int>(batch.size(1));
  const int width = static_cast<int>(batch.size(2));
  const int64_t pixels = static_cast<int64_t>(height) * width;
  at::Tensor output = at::empty({count, 3, height, width}, batch.options().dtype(at::kFloat));

  const at::Tensor jitter = params.jitter.to(at::kBool).contiguous();
  const at::Tensor order = params.order.to(at::kLong).contiguous();
  const at::Tensor factors = params.factors.to(at::kDouble).contiguous();
  const at::Tensor grayscale = params.grayscale.to(at::kBool).contiguous();
  const at::Tensor blur = params.blur.to(at::kBool).contiguous();
  const at::Tensor sigma = params.sigma.to(at::kDouble).contiguous();
  const at::Tensor solarize = params.solarize.to(at::kBool).contiguous();
  const int64_t kernelSize = blurKernelSize(spec);

  const uint8_t* in = batch.data_ptr<uint8_t>();
  float* out = output.data_ptr<float>();
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> work(3 * pixels);
    std::vector<float> scratch(pixels);
    for (int64_t n = begin; n < end; ++n) {
      const SampleParams p{jitter.data_ptr<bool>()[n],         order.data_ptr<int64_t>() + 4 * n,
                           factors.data_ptr<double>() + 4 * n, grayscale.data_ptr<bool>()[n],
                           blur.data_ptr<bool>()[n],           sigma.data_ptr<double>()[n],
                           solarize.data_ptr<bool>()[n]};
      processSample(in + n * pixels * 3, out + n * 3 * pixels, height, width, p, spec, kernelSize, work, scratch);
    }
  });
  return output;
}

}  // namespace mveb
