// The device-generic implementation: whole-batch ATen operations, so it runs wherever
// the batch is (CUDA on a GPU machine). Per-sample operation order is honoured by
// applying, at each of the four positions, each operation to the samples that have it there.
#include <ATen/ATen.h>

#include <vector>

#include "augment/photometric.h"

namespace mveb {
namespace {

// [n] → [n, 1, 1, 1], for per-sample broadcasting.
at::Tensor perSample(const at::Tensor& values, const at::Tensor& like) {
  return values.to(like.device(), like.scalar_type()).view({-1, 1, 1, 1});
}

at::Tensor grayOf(const at::Tensor& x) {
  return (0.2989 * x.select(1, 0) + 0.587 * x.select(1, 1) + 0.114 * x.select(1, 2)).unsqueeze(1);
}

at::Tensor blend(const at::Tensor& a, const at::Tensor& b, const at::Tensor& ratio) {
  return (ratio * a + (1.0 - ratio) * b).clamp(0.0, 1.0);
}

at::Tensor rgbToHsv(const at::Tensor& x) {
  const at::Tensor r = x.select(1, 0), g = x.select(1, 1), b = x.select(1, 2);
  const at::Tensor maxc = std::get<0>(x.max(1));
  const at::Tensor minc = std::get<0>(x.min(1));
  const at::Tensor equal = maxc == minc;
  const at::Tensor cr = maxc - minc;
  const at::Tensor ones = at::ones_like(maxc);
  const at::Tensor s = cr / at::where(equal, ones, maxc);
  const at::Tensor divisor = at::where(equal, ones, cr);
  const at::Tensor rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
  const at::Tensor isR = maxc == r, isG = (maxc == g).logical_and(maxc != r);
  const at::Tensor h = at::where(isR, bc - gc, at::where(isG, 2.0 + rc - bc, 4.0 + gc - rc));
  return at::stack({at::fmod(h / 6.0 + 1.0, 1.0), s, maxc}, 1);
}

at::Tensor hsvToRgb(const at::Tensor& hsv) {
  const at::Tensor h = hsv.select(1, 0), s = hsv.select(1, 1), v = hsv.select(1, 2);
  const at::Tensor i = at::floor(h * 6.0);
  const at::Tensor f = h * 6.0 - i;
  const at::Tensor sector = i.to(at::kInt).remainder(6);
  const at::Tensor p = (v * (1.0 - s)).clamp(0.0, 1.0);
  const at::Tensor q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
  const at::Tensor t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
  // Per sector, which of v, q, p, t each channel takes (the standard HSV table).
  const std::vector<at::Tensor> choices = {v, q, p, t};
  const int table[6][3] = {{0, 3, 2}, {1, 0, 2}, {2, 0, 3}, {2, 1, 0}, {3, 2, 0}, {0, 2, 1}};
  std::vector<at::Tensor> channels;
  for (int c = 0; c < 3; ++c) {
    at::Tensor channel = choices[table[5][c]];
    for (int k = 4; k >= 0; --k) channel = at::where(sector == k, choices[table[k][c]], channel);
    channels.push_back(channel);
  }
  return at::stack(channels, 1);
}

at::Tensor applyJitter(const at::Tensor& x, int64_t op, const at::Tensor& factor) {
  switch (op) {
    case kBrightness:
      return blend(x, at::zeros_like(x), perSample(factor, x));
    case kContrast:
      return blend(x, grayOf(x).mean({1, 2, 3}, true), perSample(factor, x));
    case kSaturation:
      return blend(x, grayOf(x), perSample(factor, x));
    default: {
      at::Tensor hsv = rgbToHsv(x);
      at::Tensor shifted = (hsv.select(1, 0) + perSample(factor, x).squeeze(1)).remainder(1.0);
      return hsvToRgb(at::stack({shifted, hsv.select(1, 1), hsv.select(1, 2)}, 1));
    }
  }
}

// Depthwise separable convolution with one kernel per sample.
at::Tensor gaussianBlur(const at::Tensor& x, const at::Tensor& sigma, int64_t kernelSize) {
  const int64_t n = x.size(0), height = x.size(2), width = x.size(3);
  std::vector<at::Tensor> kernels;
  const at::Tensor sigmaCpu = sigma.to(at::kCPU, at::kDouble).contiguous();
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> k = gaussianKernel1d(kernelSize, sigmaCpu.data_ptr<double>()[i]);
    kernels.push_back(at::tensor(k, at::kDouble));
  }
  const at::Tensor weight = at::stack(kernels).to(x.device(), x.scalar_type()).repeat_interleave(3, 0);  // [3n, k]
  const int64_t pad = kernelSize / 2;
  const std::vector<int64_t> unit{1, 1}, noPadding{0, 0};
  at::Tensor planes = at::reflection_pad2d(x.reshape({1, 3 * n, height, width}), {pad, pad, pad, pad});
  planes = at::conv2d(planes, weight.view({3 * n, 1, 1, kernelSize}), at::Tensor(), unit, noPadding, unit, 3 * n);
  planes = at::conv2d(planes, weight.view({3 * n, 1, kernelSize, 1}), at::Tensor(), unit, noPadding, unit, 3 * n);
  return planes.view({n, 3, height, width});
}

// Rows of `x` where `mask` holds: their indices (on x's device), or undefined when none.
at::Tensor selected(const at::Tensor& mask, const at::Tensor& x) {
  at::Tensor index = mask.nonzero().view(-1);
  return index.numel() == 0 ? at::Tensor() : index.to(x.device());
}

}  // namespace

at::Tensor photometricAten(const at::Tensor& batch, const PhotometricParams& params, const PhotometricSpec& spec) {
  at::Tensor x = batch.permute({0, 3, 1, 2}).to(at::kFloat).div(255.0).contiguous();
  const at::Tensor jitter = params.jitter.to(at::kCPU, at::kBool);
  const at::Tensor order = params.order.to(at::kCPU, at::kLong);
  const at::Tensor factors = params.factors.to(at::kCPU, at::kDouble);
  // An operation whose range is 0 is not applied, as in torchvision's ColorJitter.
  const double range[4] = {spec.brightness, spec.contrast, spec.saturation, spec.hue};
  for (int64_t position = 0; position < 4; ++position) {
    for (int64_t op = 0; op < 4; ++op) {
      if (range[op] == 0.0) continue;
      at::Tensor index = selected(jitter.logical_and(order.select(1, position) == op), x);
      if (!index.defined()) continue;
      at::Tensor factor = factors.select(1, op).index_select(0, index.cpu());
      x.index_copy_(0, index, applyJitter(x.index_select(0, index), op, factor));
    }
  }
  if (at::Tensor index = selected(params.grayscale.to(at::kCPU, at::kBool), x); index.defined())
    x.index_copy_(0, index, grayOf(x.index_select(0, index)).expand({-1, 3, -1, -1}).contiguous());
  if (at::Tensor index = selected(params.blur.to(at::kCPU, at::kBool), x); index.defined()) {
    at::Tensor sigma = params.sigma.to(at::kCPU, at::kDouble).index_select(0, index.cpu());
    x.index_copy_(0, index, gaussianBlur(x.index_select(0, index), sigma, blurKernelSize(spec)));
  }
  if (at::Tensor index = selected(params.solarize.to(at::kCPU, at::kBool), x); index.defined()) {
    at::Tensor rows = x.index_select(0, index);
    x.index_copy_(0, index, at::where(rows >= spec.solarizeThreshold, 1.0 - rows, rows));
  }
  const at::Tensor mean =
      at::tensor(std::vector<double>(spec.mean.begin(), spec.mean.end()), at::kFloat).to(x.device());
  const at::Tensor std = at::tensor(std::vector<double>(spec.std.begin(), spec.std.end()), at::kFloat).to(x.device());
  return x.sub_(mean.view({1, 3, 1, 1})).div_(std.view({1, 3, 1, 1}));
}

}  // namespace mveb
