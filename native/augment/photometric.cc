#include "augment/photometric.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace mveb {
namespace {

void requireProbability(double p, const char* field) {
  if (!(p >= 0.0 && p <= 1.0))
    throw std::invalid_argument(std::string(field) + " must be a probability in [0, 1], got " + std::to_string(p));
}

void requireRange(double value, double low, double high, const char* field) {
  if (!(value >= low && value <= high))
    throw std::invalid_argument(std::string(field) + " must be in [" + std::to_string(low) + ", " +
                                std::to_string(high) + "], got " + std::to_string(value));
}

// U[low, high) per sample from the generator, as float64.
at::Tensor uniform(int64_t count, double low, double high, at::Generator& generator) {
  return at::rand({count}, generator, at::TensorOptions().dtype(at::kDouble)) * (high - low) + low;
}

at::Tensor bernoulli(int64_t count, double p, at::Generator& generator) {
  return at::rand({count}, generator, at::TensorOptions().dtype(at::kDouble)) < p;
}

void requireRows(const at::Tensor& t, const char* name, int64_t count, int64_t columns) {
  if (!t.defined()) throw std::invalid_argument(std::string("params.") + name + " is missing");
  const bool shapeOk = columns == 0 ? (t.dim() == 1 && t.size(0) == count)
                                    : (t.dim() == 2 && t.size(0) == count && t.size(1) == columns);
  if (!shapeOk)
    throw std::invalid_argument(std::string("params.") + name + " must have " + std::to_string(count) + " rows" +
                                (columns ? " of " + std::to_string(columns) : std::string()));
}

}  // namespace

void validateSpec(const PhotometricSpec& spec) {
  requireProbability(spec.jitterProb, "jitterProb");
  requireRange(spec.brightness, 0.0, 1.0, "brightness");
  requireRange(spec.contrast, 0.0, 1.0, "contrast");
  requireRange(spec.saturation, 0.0, 1.0, "saturation");
  requireRange(spec.hue, 0.0, 0.5, "hue");
  requireProbability(spec.grayscaleProb, "grayscaleProb");
  requireProbability(spec.blurProb, "blurProb");
  if (!(spec.sigmaMin > 0.0 && spec.sigmaMax >= spec.sigmaMin))
    throw std::invalid_argument("sigmaMin and sigmaMax must satisfy 0 < sigmaMin <= sigmaMax");
  if (spec.blurKernel != 0 && (spec.blurKernel < 1 || spec.blurKernel % 2 == 0))
    throw std::invalid_argument("blurKernel must be a positive odd size (or 0 for automatic), got " +
                                std::to_string(spec.blurKernel));
  requireProbability(spec.solarizeProb, "solarizeProb");
  requireRange(spec.solarizeThreshold, 0.0, 1.0, "solarizeThreshold");
  for (double s : spec.std)
    if (!(s > 0.0)) throw std::invalid_argument("std entries must be positive");
}

int64_t blurKernelSize(const PhotometricSpec& spec) {
  return spec.blurKernel != 0 ? spec.blurKernel : 2 * static_cast<int64_t>(std::ceil(3.0 * spec.sigmaMax)) + 1;
}

std::vector<double> gaussianKernel1d(int64_t size, double sigma) {
  std::vector<double> kernel(size);
  const double half = (size - 1) * 0.5;
  double sum = 0.0;
  for (int64_t i = 0; i < size; ++i) {
    const double x = size == 1 ? -half : -half + (2.0 * half) * i / (size - 1);
    kernel[i] = std::exp(-0.5 * (x / sigma) * (x / sigma));
    sum += kernel[i];
  }
  for (double& k : kernel) k /= sum;
  return kernel;
}

// Drawn in one fixed sequence from one generator: the same seed gives the same
// parameters on any machine and for any device the batch goes to.
PhotometricParams drawPhotometricParams(int64_t count, const PhotometricSpec& spec, uint64_t seed) {
  validateSpec(spec);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  PhotometricParams params;
  params.jitter = bernoulli(count, spec.jitterProb, generator);
  params.order =
      at::rand({count, 4}, generator, at::TensorOptions().dtype(at::kDouble)).argsort(/*dim=*/static_cast<int64_t>(1));
  params.factors = at::stack({uniform(count, 1.0 - spec.brightness, 1.0 + spec.brightness, generator),
                              uniform(count, 1.0 - spec.contrast, 1.0 + spec.contrast, generator),
                              uniform(count, 1.0 - spec.saturation, 1.0 + spec.saturation, generator),
                              uniform(count, -spec.hue, spec.hue, generator)},
                             1);
  params.grayscale = bernoulli(count, spec.grayscaleProb, generator);
  params.blur = bernoulli(count, spec.blurProb, generator);
  params.sigma = uniform(count, spec.sigmaMin, spec.sigmaMax, generator);
  params.solarize = bernoulli(count, spec.solarizeProb, generator);
  return params;
}

void validateParams(const PhotometricParams& params, int64_t count) {
  requireRows(params.jitter, "jitter", count, 0);
  requireRows(params.order, "order", count, 4);
  requireRows(params.factors, "factors", count, 4);
  requireRows(params.grayscale, "grayscale", count, 0);
  requireRows(params.blur, "blur", count, 0);
  requireRows(params.sigma, "sigma", count, 0);
  requireRows(params.solarize, "solarize", count, 0);
  at::Tensor sorted = std::get<0>(params.order.sort(1));
  if (!sorted.equal(at::arange(4, at::kLong).expand({count, 4})))
    throw std::invalid_argument("params.order rows must be permutations of 0..3");
  if (count > 0 && !(params.sigma.gt(0).all().item<bool>()))
    throw std::invalid_argument("params.sigma must be positive");
}

at::Tensor photometricAugment(const at::Tensor& batch, const PhotometricParams& params, const PhotometricSpec& spec,
                              PhotometricImpl impl) {
  validateSpec(spec);
  if (batch.scalar_type() != at::kByte || batch.dim() != 4 || batch.size(3) != 3)
    throw std::invalid_argument("batch must be uint8 [N, H, W, 3], got " +
                                std::string(c10::toString(batch.scalar_type())) + " with " +
                                std::to_string(batch.dim()) + " dimensions");
  validateParams(params, batch.size(0));
  const int64_t pad = blurKernelSize(spec) / 2;
  if (batch.size(0) > 0 && (pad >= batch.size(1) || pad >= batch.size(2)) && params.blur.any().item<bool>())
    throw std::invalid_argument("blur kernel " + std::to_string(blurKernelSize(spec)) + " is too large for " +
                                std::to_string(batch.size(1)) + "x" + std::to_string(batch.size(2)) + " images");
  const bool fused = impl == PhotometricImpl::Fused || (impl == PhotometricImpl::Auto && batch.device().is_cpu());
  if (fused && !batch.device().is_cpu()) throw std::invalid_argument("the fused photometric kernel runs on CPU only");
  return fused ? photometricFusedCpu(batch, params, spec) : photometricAten(batch, params, spec);
}

}  // namespace mveb
