// The fused Stein steps: the bandwidth by radix selection over 1 − S (no sort, no copy of the
// N² values) and one pass over S that leaves K + ηI in its place and returns G. On CUDA
// they are native/cuda/stein_kernels.cu; on the CPU loops over the same stein_math.h
// functions, which is what the CPU tests check.
#pragma once

#include <ATen/Tensor.h>

#include <string>

namespace mveb {

// Whether the fused path can run on this tensor's device; if not, why (for an error).
bool fusedSteinAvailable(const at::Tensor& tensor, std::string* why = nullptr);

// max(the ⌊n/2⌋-th largest of the n = N² values 1 − similarity, minBandwidth), 0-dim, on
// similarity's device: exactly halfTopK(1 - similarity) clamped.
at::Tensor fusedBandwidth(const at::Tensor& similarity, double minBandwidth);

// Overwrites similarity (N × N, contiguous) with exp(S / τ) + ηI and returns
// G = rowsum(exp(S / τ)) ⊙ z / τ (N × d); τ is the 0-dim bandwidth.
at::Tensor fusedKernelPass(at::Tensor& similarity, const at::Tensor& z, const at::Tensor& bandwidth, double eta);

}  // namespace mveb
