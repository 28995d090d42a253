// The CPU implementation: one sample at a time, all operations on a planar float copy
// that stays in cache, samples spread over LibTorch's intra-op threads.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <vector>

#include "augment/photometric.h"
#include "augment/pixel_math.h"

namespace mveb {
namespace {

struct Planes {
  float* r;
  float* g;
  float* b;
  int64_t pixels;
};

void adjustBrightness(Planes& x, float factor) {
  for (int64_t i = 0; i < x.pixels; ++i) {
    x.r[i] = pixel::blend(x.r[i], 0.f, factor);
    x.g[i] = pixel::blend(x.g[i], 0.f, factor);
    x.b[i] = pixel::blend(x.b[i], 0.f, factor);
  }
}

void adjustContrast(Planes& x, float factor) {
  double sum = 0.0;
  for (int64_t i = 0; i < x.pixels; ++i) sum += pixel::gray(x.r[i], x.g[i], x.b[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(x.pixels));
  for (int64_t i = 0; i < x.pixels; ++i) {
    x.r[i] = pixel::blend(x.r[i], mean, factor);
    x.g[i] = pixel::blend(x.g[i], mean, factor);
    x.b[i] = pixel::blend(x.b[i], mean, factor);
  }
}

void adjustSaturation(Planes& x, float factor) {
  for (int64_t i = 0; i < x.pixels; ++i) {
    const float gray = pixel::gray(x.r[i], x.g[i], x.b[i]);
    x.r[i] = pixel::blend(x.r[i], gray, factor);
    x.g[i] = pixel::blend(x.g[i], gray, factor);
    x.b[i] = pixel::blend(x.b[i], gray, factor);
  }
}

void adjustHue(Planes& x, float shift) {
  for (int64_t i = 0; i < x.pixels; ++i) pixel::shiftHue(x.r[i], x.g[i], x.b[i], shift);
}

void toGrayscale(Planes& x) {
  for (int64_t i = 0; i < x.pixels; ++i) x.r[i] = x.g[i] = x.b[i] = pixel::gray(x.r[i], x.g[i], x.b[i]);
}

// Separable Gaussian blur with reflect padding; `scratch` holds one plane.
void blurPlane(float* plane, int height, int width, const std::vector<float>& kernel, std::vector<float>& scratch) {
  const int half = static_cast<int>(kernel.size()) / 2;
  for (int y = 0; y < height; ++y) {
    const float* row = plane + static_cast<int64_t>(y) * width;
    float* out = scratch.data() + static_cast<int64_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      float acc = 0.f;
      if (x >= half && x + half < width) {
        const float* window = row + x - half;
        for (size_t k = 0; k < kernel.size(); ++k) acc += kernel[k] * window[k];
      } else {
        for (size_t k = 0; k < kernel.size(); ++k) acc += kernel[k] * row[pixel::reflectIndex(x + static_cast<int>(k) - half, width)];
      }
      out[x] = acc;
    }
  }
  for (int y = 0; y < height; ++y) {
    float* out = plane + static_cast<int64_t>(y) * width;
    for (int x = 0; x < width; ++x) out[x] = 0.f;
    for (size_t k = 0; k < kernel.size(); ++k) {
      const float* row = scratch.data() + static_cast<int64_t>(pixel::reflectIndex(y + static_cast<int>(k) - half, height)) * width;
      const float w = kernel[k];
      for (int x = 0; x < width; ++x) out[x] += w * row[x];
    }
  }
}

}  // namespace

at::Tensor photometricFusedCpu(const at::Tensor& batchIn, const PhotometricParams& params, const PhotometricSpec& spec) {
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
  const float threshold = static_cast<float>(spec.solarizeThreshold);

  const uint8_t* in = batch.data_ptr<uint8_t>();
  float* out = output.data_ptr<float>();
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> work(3 * pixels);
    std::vector<float> scratch(pixels);
    for (int64_t n = begin; n < end; ++n) {
      Planes x{work.data(), work.data() + pixels, work.data() + 2 * pixels, pixels};
      const uint8_t* src = in + n * pixels * 3;
      for (int64_t i = 0; i < pixels; ++i) {
        x.r[i] = src[3 * i] / 255.f;
        x.g[i] = src[3 * i + 1] / 255.f;
        x.b[i] = src[3 * i + 2] / 255.f;
      }
      if (jitter.data_ptr<bool>()[n]) {
        const int64_t* ops = order.data_ptr<int64_t>() + 4 * n;
        const double* f = factors.data_ptr<double>() + 4 * n;
        for (int k = 0; k < 4; ++k) {
          switch (ops[k]) {
            case kBrightness: adjustBrightness(x, static_cast<float>(f[kBrightness])); break;
            case kContrast: adjustContrast(x, static_cast<float>(f[kContrast])); break;
            case kSaturation: adjustSaturation(x, static_cast<float>(f[kSaturation])); break;
            default: adjustHue(x, static_cast<float>(f[kHue])); break;
          }
        }
      }
      if (grayscale.data_ptr<bool>()[n]) toGrayscale(x);
      if (blur.data_ptr<bool>()[n]) {
        const std::vector<double> k64 = gaussianKernel1d(kernelSize, sigma.data_ptr<double>()[n]);
        const std::vector<float> kernel(k64.begin(), k64.end());
        for (float* plane : {x.r, x.g, x.b}) blurPlane(plane, height, width, kernel, scratch);
      }
      const bool solar = solarize.data_ptr<bool>()[n];
      float* dst = out + n * 3 * pixels;
      for (int c = 0; c < 3; ++c) {
        const float* plane = work.data() + c * pixels;
        const float mean = static_cast<float>(spec.mean[c]);
        const float inverseStd = static_cast<float>(1.0 / spec.std[c]);
        for (int64_t i = 0; i < pixels; ++i) {
          const float v = solar ? pixel::solarize(plane[i], threshold) : plane[i];
          dst[c * pixels + i] = (v - mean) * inverseStd;
        }
      }
    }
  });
  return output;
}

}  // namespace mveb
