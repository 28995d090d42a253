// Per-pixel colour math shared by the CPU kernel and any device kernel: the formulas
// of torchvision's functional_tensor (0.14), in float, one pixel at a time.
#pragma once

#include <cmath>

#if defined(__CUDACC__)
#define MVEB_HOST_DEVICE __host__ __device__
#else
#define MVEB_HOST_DEVICE
#endif

namespace mveb::pixel {

MVEB_HOST_DEVICE inline float clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }

// torchvision's _blend: ratio·a + (1 − ratio)·b, clamped to [0, 1].
MVEB_HOST_DEVICE inline float blend(float a, float b, float ratio) { return clamp01(ratio * a + (1.f - ratio) * b); }

// rgb_to_grayscale's ITU-R 601-2 luma weights.
MVEB_HOST_DEVICE inline float gray(float r, float g, float b) { return 0.2989f * r + 0.587f * g + 0.114f * b; }

// adjust_hue: _rgb2hsv, h ← (h + shift) mod 1, _hsv2rgb.
MVEB_HOST_DEVICE inline void shiftHue(float& r, float& g, float& b, float shift) {
  const float maxc = fmaxf(r, fmaxf(g, b));
  const float minc = fminf(r, fminf(g, b));
  const bool equal = maxc == minc;
  const float cr = maxc - minc;
  const float s = cr / (equal ? 1.f : maxc);
  const float divisor = equal ? 1.f : cr;
  const float rc = (maxc - r) / divisor;
  const float gc = (maxc - g) / divisor;
  const float bc = (maxc - b) / divisor;
  float h;
  if (maxc == r) h = bc - gc;
  else if (maxc == g) h = 2.f + rc - bc;
  else h = 4.f + gc - rc;
  h = fmodf(h / 6.f + 1.f, 1.f);
  h = h + shift;  // Python's % 1.0: the result has the sign of the divisor
  h = h - floorf(h);
  if (h >= 1.f) h = 0.f;
  const float v = maxc;
  const float h6 = h * 6.f;
  const float i = floorf(h6);
  const float f = h6 - i;
  const int sector = static_cast<int>(i) % 6;
  const float p = clamp01(v * (1.f - s));
  const float q = clamp01(v * (1.f - s * f));
  const float t = clamp01(v * (1.f - s * (1.f - f)));
  switch (sector) {
    case 0: r = v; g = t; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    default: r = v; g = p; b = q; break;
  }
}

// solarize: values at or above the threshold are inverted.
MVEB_HOST_DEVICE inline float solarize(float v, float threshold) { return v >= threshold ? 1.f - v : v; }

// numpy/torch "reflect" padding index (the edge is not repeated); valid for |overhang| < size.
MVEB_HOST_DEVICE inline int reflectIndex(int i, int size) {
  if (i < 0) return -i;
  if (i >= size) return 2 * (size - 1) - i;
  return i;
}

}  // namespace mveb::pixel
