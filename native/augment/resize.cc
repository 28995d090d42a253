#include "augment/resize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "simd.h"

namespace mveb {

double bicubicFilter(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// ATen's _compute_indices_weights_aa: the support widens with the downscale factor.
ResampleTaps resampleTaps(int inputSize, int outputSize) {
  const double scale = static_cast<double>(inputSize) / outputSize;
  const double support = scale >= 1.0 ? 2.0 * scale : 2.0;
  const double inverse = scale >= 1.0 ? 1.0 / scale : 1.0;
  ResampleTaps taps;
  taps.span = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(outputSize);
  taps.count.resize(outputSize);
  taps.weights.assign(static_cast<size_t>(outputSize) * taps.span, 0.f);
  for (int i = 0; i < outputSize; ++i) {
    const double center = scale * (i + 0.5);
    const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    const int n = std::min(std::min(static_cast<int>(center + support + 0.5), inputSize) - lo, taps.span);
    std::vector<double> w(n);
    double total = 0.0;
    for (int j = 0; j < n; ++j) total += (w[j] = bicubicFilter((j + lo - center + 0.5) * inverse));
    taps.first[i] = lo;
    taps.count[i] = n;
    for (int j = 0; j < n; ++j)
      taps.weights[static_cast<size_t>(i) * taps.span + j] = static_cast<float>(total != 0.0 ? w[j] / total : w[j]);
  }
  return taps;
}

namespace {

uint8_t toByte(float v) { return static_cast<uint8_t>(std::nearbyint(std::min(255.f, std::max(0.f, v)))); }

// One output row per intermediate row; the channel count is a constant, so the taps
// loop keeps its accumulators in registers. A 1-channel source is written to all 3.
template <int Channels>
void horizontalPass(const float* rows, int rowValues, const ResampleTaps& taps, const CropView& view, uint8_t* output) {
  for (int y = 0; y < view.size; ++y) {
    const float* in = rows + static_cast<size_t>(y) * rowValues;
    uint8_t* out = output + static_cast<size_t>(y) * view.size * 3;
    for (int x = 0; x < view.size; ++x) {
      const float* w = taps.weights.data() + static_cast<size_t>(x) * taps.span;
      const float* source = in + static_cast<size_t>(taps.first[x]) * Channels;
      float acc[Channels] = {};
      for (int k = 0; k < taps.count[x]; ++k)
        for (int c = 0; c < Channels; ++c) acc[c] += w[k] * source[k * Channels + c];
      uint8_t* pixel = out + static_cast<size_t>(view.flip ? view.size - 1 - x : x) * 3;
      for (int c = 0; c < 3; ++c) pixel[c] = toByte(acc[Channels == 1 ? 0 : c]);
    }
  }
}

// Vertical pass first (whole rows at a time, which vectorises), then horizontal.
MVEB_SIMD_CLONES void cutView(const uint8_t* image, int width, int channels, const CropView& view, uint8_t* output,
                              std::vector<float>& rows) {
  const ResampleTaps vertical = resampleTaps(view.height, view.size);
  const ResampleTaps horizontal = resampleTaps(view.width, view.size);
  const int rowValues = view.width * channels;
  rows.assign(static_cast<size_t>(view.size) * rowValues, 0.f);
  for (int y = 0; y < view.size; ++y) {
    float* out = rows.data() + static_cast<size_t>(y) * rowValues;
    const float* w = vertical.weights.data() + static_cast<size_t>(y) * vertical.span;
    for (int k = 0; k < vertical.count[y]; ++k) {
      const uint8_t* in =
          image + (static_cast<size_t>(view.top + vertical.first[y] + k) * width + view.left) * channels;
      const float weight = w[k];
      for (int i = 0; i < rowValues; ++i) out[i] += weight * static_cast<float>(in[i]);
    }
  }
  if (channels == 3)
    horizontalPass<3>(rows.data(), rowValues, horizontal, view, output);
  else
    horizontalPass<1>(rows.data(), rowValues, horizontal, view, output);
}

}  // namespace

void cutViews(const uint8_t* image, int width, int height, int channels, const std::vector<CropView>& views,
              const std::vector<uint8_t*>& outputs) {
  if (channels != 1 && channels != 3) throw std::invalid_argument("cutViews: images must have 1 or 3 channels");
  if (outputs.size() != views.size()) throw std::invalid_argument("cutViews: one output per view");
  std::vector<float> rows;
  for (size_t v = 0; v < views.size(); ++v) {
    const CropView& view = views[v];
    if (view.left < 0 || view.top < 0 || view.width < 1 || view.height < 1 || view.left + view.width > width ||
        view.top + view.height > height || view.size < 1)
      throw std::invalid_argument("cutViews: view " + std::to_string(v) + " crop " + std::to_string(view.width) + "x" +
                                  std::to_string(view.height) + "+" + std::to_string(view.left) + "+" +
                                  std::to_string(view.top) + " is outside the " + std::to_string(width) + "x" +
                                  std::to_string(height) + " image");
    cutView(image, width, channels, view, outputs[v], rows);
  }
}

}  // namespace mveb
