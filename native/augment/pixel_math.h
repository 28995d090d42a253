// Per-pixel colour math shared by the CPU kernel and any device kernel: the formulas
// of torchvision's functional_tensor (0.14), in float, one pixel at a time.
#pragma once

#include <cmath>

#include "host_device.h"

namespace mveb::pixel {

MVEB_HOST_DEVICE inline float clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }

// torchvision's _blend: ratio·a + (1 − ratio)·b, clamped to [0, 1].
MVEB_HOST_DEVICE inline float blend(float a, float b, float ratio) { return clamp01(ratio * a + (1.f - ratio) * b); }

// rgb_to_grayscale's ITU-R 601-2 luma weights.
MVEB_HOST_DEVICE inline float gray(float r, float g, float b) { return 0.2989f * r + 0.587f * g + 0.114f * b; }

// adjust_hue: _rgb2hsv, h ← (h + shift) mod 1, _hsv2rgb. Written with selects instead
// of branches so that CPU loops over pixels vectorise.
MVEB_HOST_DEVICE inline void shiftHue(float& r, float& g, float& b, float shift) {
  // Plain comparisons, not fmaxf/fminf (their NaN rules block vectorising; pixels are finite).
  const float maxc = r > g ? (r > b ? r : b) : (g > b ? g : b);
  const float minc = r < g ? (r < b ? r : b) : (g < b ? g : b);
  const bool equal = maxc == minc;
  const float cr = maxc - minc;
  const float s = cr / (equal ? 1.f : maxc);
  const float divisor = equal ? 1.f : cr;
  const float rc = (maxc - r) / divisor;
  const float gc = (maxc - g) / divisor;
  const float bc = (maxc - b) / divisor;
  // Every candidate is computed before choosing: selects of ready values vectorise,
  // branches over arithmetic do not.
  const float hr = bc - gc;
  const float hg = 2.f + rc - bc;
  const float hb = 4.f + gc - rc;
  const float h0 = maxc == r ? hr : (maxc == g ? hg : hb);
  // fmod(x, 1) for x = h0/6 + 1 in [0.8, 1.9]: x − floor(x) is exact there.
  const float wrapped = h0 / 6.f + 1.f;
  float h = wrapped - floorf(wrapped);
  h = h + shift;  // Python's % 1.0: the result has the sign of the divisor
  h = h - floorf(h);
  const float v = maxc;
  const float h6 = h * 6.f;
  const float i = floorf(h6);
  const float f = h6 - i;
  const float sector = i >= 6.f ? 0.f : i;  // h = 1 − ε can round up to 1: sector 6 is sector 0
  const float p = clamp01(v * (1.f - s));
  const float q = clamp01(v * (1.f - s * f));
  const float t = clamp01(v * (1.f - s * (1.f - f)));
  // The standard HSV table, sector → (r, g, b) from (v, q, p, t), as one select per
  // entry (chained conditions would stop the vectoriser).
  float outR = p, outG = p, outB = p;
  outR = sector == 0.f ? v : outR;
  outR = sector == 1.f ? q : outR;
  outR = sector == 4.f ? t : outR;
  outR = sector == 5.f ? v : outR;
  outG = sector == 0.f ? t : outG;
  outG = sector == 1.f ? v : outG;
  outG = sector == 2.f ? v : outG;
  outG = sector == 3.f ? q : outG;
  outB = sector == 2.f ? t : outB;
  outB = sector == 3.f ? v : outB;
  outB = sector == 4.f ? v : outB;
  outB = sector == 5.f ? q : outB;
  r = outR;
  g = outG;
  b = outB;
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
