// The arithmetic of the fused Stein estimator (native/mveb/stein_fused.cc on the CPU,
// native/cuda/stein_kernels.cu on CUDA): one element or one radix step at a time, so that
// both run the same code and the CPU tests check what the GPU computes.
#pragma once

#include <cmath>
#include <cstdint>

#include "host_device.h"

namespace mveb::stein_math {

// Radix selection: keys whose unsigned order is the floating-point order, examined 8 bits
// at a time from the top; each pass keeps the bucket that holds the wanted rank.
constexpr int kRadixBits = 8;
constexpr int kRadixBuckets = 1 << kRadixBits;

// Keys of a floating type T in the same-sized unsigned type K: the sign bit set for positives, all
// bits flipped for negatives. (Bits read through a union: defined behaviour in GCC, Clang and nvcc,
// and usable in device code.)
template <typename T, typename K>
struct OrderedKey {
  using Key = K;
  static constexpr int kBits = 8 * sizeof(K);
  static constexpr K kSign = K(1) << (kBits - 1);
  MVEB_HOST_DEVICE static Key of(T value) {
    // NaN orders above everything, as in kthvalue.
    if (value != value) return ~K(0);
    union {
      T f;
      K u;
    } bits{value};
    return (bits.u & kSign) ? ~bits.u : (bits.u | kSign);
  }
  MVEB_HOST_DEVICE static T value(Key key) {
    union {
      K u;
      T f;
    } bits{(key & kSign) ? (key & ~kSign) : ~key};
    return bits.f;
  }
};

template <typename T>
struct RadixKey;
template <>
struct RadixKey<float> : OrderedKey<float, uint32_t> {};
template <>
struct RadixKey<double> : OrderedKey<double, uint64_t> {};

template <typename T>
constexpr int radixPasses() {
  return RadixKey<T>::kBits / kRadixBits;
}

// Where a selection stands: the top bits fixed so far (prefix under mask) and the rank,
// counted from 0 in ascending order, of the wanted key among the keys that share them.
template <typename T>
struct RadixSelection {
  typename RadixKey<T>::Key prefix;
  typename RadixKey<T>::Key mask;
  uint64_t rank;
};

template <typename T>
MVEB_HOST_DEVICE inline RadixSelection<T> radixStart(uint64_t rank) {
  return {0, 0, rank};
}

template <typename T>
MVEB_HOST_DEVICE inline bool radixMatches(typename RadixKey<T>::Key key, const RadixSelection<T>& selection) {
  return (key & selection.mask) == selection.prefix;
}

template <typename T>
MVEB_HOST_DEVICE inline int radixDigit(typename RadixKey<T>::Key key, int pass) {
  const int shift = RadixKey<T>::kBits - kRadixBits * (pass + 1);
  return static_cast<int>((key >> shift) & (kRadixBuckets - 1));
}

// After a pass has counted the matching keys by digit: fix the digit that holds the rank.
template <typename T>
MVEB_HOST_DEVICE inline void radixDescend(const unsigned long long* counts, int pass, RadixSelection<T>& selection) {
  using Key = typename RadixKey<T>::Key;
  int digit = 0;
  uint64_t below = 0;
  while (digit < kRadixBuckets - 1 && below + counts[digit] <= selection.rank) {
    below += counts[digit];
    ++digit;
  }
  const int shift = RadixKey<T>::kBits - kRadixBits * (pass + 1);
  selection.prefix |= static_cast<Key>(digit) << shift;
  selection.mask |= static_cast<Key>(kRadixBuckets - 1) << shift;
  selection.rank -= below;
}

// The authors' heuristic_kernel_width takes torch.topk(values, n // 2)[-1]: the
// max(1, ⌊n/2⌋)-th largest, i.e. this rank (from 0) in ascending order.
MVEB_HOST_DEVICE inline uint64_t halfTopKAscendingRank(uint64_t count) {
  const uint64_t k = count / 2 > 0 ? count / 2 : 1;
  return count - k;
}

// The values the bandwidth is the median of: 1 − S, rounded as ATen's `1 - similarity`.
template <typename T>
MVEB_HOST_DEVICE inline T oneMinus(T similarity) {
  return T(1) - similarity;
}

template <typename T>
MVEB_HOST_DEVICE inline T clampBandwidth(T selected, double minBandwidth) {
  const T floor = static_cast<T>(minBandwidth);
  return selected < floor ? floor : selected;
}

MVEB_HOST_DEVICE inline float expOf(float x) { return expf(x); }
MVEB_HOST_DEVICE inline double expOf(double x) { return exp(x); }

// One entry of K = exp(S / τ), as ATen's exp(similarity / bandwidth).
template <typename T>
MVEB_HOST_DEVICE inline T kernelEntry(T similarity, T bandwidth) {
  return expOf(similarity / bandwidth);
}

// What is stored in place of S: K + ηI.
template <typename T>
MVEB_HOST_DEVICE inline T regularisedEntry(T kernel, bool diagonal, double eta) {
  return diagonal ? kernel + static_cast<T>(eta) : kernel;
}

// One entry of G = diag(K·1) Z / τ, as ATen's kernel.sum(1) * z / bandwidth.
template <typename T>
MVEB_HOST_DEVICE inline T gradientEntry(T rowSum, T z, T bandwidth) {
  return rowSum * z / bandwidth;
}

}  // namespace mveb::stein_math
