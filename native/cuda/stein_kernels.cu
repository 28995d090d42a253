// The fused Stein kernels (native/cuda/stein_kernels.h). Plain CUDA, no torch headers: the
// arithmetic is native/mveb/stein_math.h's, which the CPU path runs too.
#include <cuda_runtime.h>

#include "cuda/stein_kernels.h"
#include "mveb/stein_math.h"

namespace {

using namespace mveb::stein_math;

constexpr int kCountThreads = 256;
constexpr int kPassThreads = 256;

struct Workspace {
  unsigned long long counts[kRadixBuckets];
  RadixSelection<float> selection32;
  RadixSelection<double> selection64;
};

__device__ RadixSelection<float>* selectionIn(Workspace* w, float*) { return &w->selection32; }
__device__ RadixSelection<double>* selectionIn(Workspace* w, double*) { return &w->selection64; }

template <typename T>
__global__ void radixStartKernel(Workspace* workspace, unsigned long long rank) {
  if (threadIdx.x < kRadixBuckets) workspace->counts[threadIdx.x] = 0;
  if (threadIdx.x == 0) *selectionIn(workspace, static_cast<T*>(nullptr)) = radixStart<T>(rank);
}

// Counts, by the digit of this pass, the keys of 1 − S that still match the selection.
template <typename T>
__global__ void radixCountKernel(const T* similarity, long long count, int pass, Workspace* workspace) {
  __shared__ unsigned int local[kRadixBuckets];
  for (int i = threadIdx.x; i < kRadixBuckets; i += blockDim.x) local[i] = 0;
  __syncthreads();
  const RadixSelection<T> selection = *selectionIn(workspace, static_cast<T*>(nullptr));
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const auto key = RadixKey<T>::of(oneMinus(similarity[i]));
    if (radixMatches<T>(key, selection)) atomicAdd(&local[radixDigit<T>(key, pass)], 1u);
  }
  __syncthreads();
  for (int i = threadIdx.x; i < kRadixBuckets; i += blockDim.x) {
    if (local[i] != 0) atomicAdd(&workspace->counts[i], static_cast<unsigned long long>(local[i]));
  }
}

template <typename T>
__global__ void radixDescendKernel(int pass, Workspace* workspace) {
  if (threadIdx.x == 0) radixDescend<T>(workspace->counts, pass, *selectionIn(workspace, static_cast<T*>(nullptr)));
  __syncthreads();
  if (threadIdx.x < kRadixBuckets) workspace->counts[threadIdx.x] = 0;
}

template <typename T>
__global__ void bandwidthKernel(Workspace* workspace, double minBandwidth, T* bandwidth) {
  const RadixSelection<T>& selection = *selectionIn(workspace, static_cast<T*>(nullptr));
  *bandwidth = clampBandwidth<T>(RadixKey<T>::value(selection.prefix), minBandwidth);
}

template <typename T>
int bandwidthTyped(const T* similarity, long long n, double minBandwidth, Workspace* workspace, T* bandwidth,
                   cudaStream_t stream) {
  const long long count = n * n;
  int device = 0, multiprocessors = 1;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device);
  const long long wanted = (count + kCountThreads - 1) / kCountThreads;
  const int blocks =
      static_cast<int>(wanted < 8LL * multiprocessors ? (wanted > 0 ? wanted : 1) : 8LL * multiprocessors);
  radixStartKernel<T><<<1, kRadixBuckets, 0, stream>>>(workspace, halfTopKAscendingRank(count));
  for (int pass = 0; pass < radixPasses<T>(); ++pass) {
    radixCountKernel<T><<<blocks, kCountThreads, 0, stream>>>(similarity, count, pass, workspace);
    radixDescendKernel<T><<<1, kRadixBuckets, 0, stream>>>(pass, workspace);
  }
  bandwidthKernel<T><<<1, 1, 0, stream>>>(workspace, minBandwidth, bandwidth);
  return static_cast<int>(cudaGetLastError());
}

// One block per row: K = exp(S/τ) written back with η on the diagonal, the row sum reduced in
// shared memory, then the row of g.
template <typename T>
__global__ void kernelPassKernel(T* similarity, const T* z, long long n, long long d, const T* bandwidthIn, double eta,
                                 T* g) {
  __shared__ T partial[kPassThreads];
  const long long row = blockIdx.x;
  const T bandwidth = *bandwidthIn;
  T* s = similarity + row * n;
  T sum = 0;
  for (long long j = threadIdx.x; j < n; j += blockDim.x) {
    const T k = kernelEntry(s[j], bandwidth);
    sum += k;
    s[j] = regularisedEntry(k, j == row, eta);
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kPassThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  const T rowSum = partial[0];
  for (long long c = threadIdx.x; c < d; c += blockDim.x) {
    g[row * d + c] = gradientEntry(rowSum, z[row * d + c], bandwidth);
  }
}

size_t workspaceBytes() { return sizeof(Workspace); }

int bandwidth(MvebSteinDtype dtype, const void* similarity, int64_t n, double minBandwidth, void* workspace, void* out,
              void* stream) {
  auto* w = static_cast<Workspace*>(workspace);
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == MVEB_STEIN_FLOAT64) {
    return bandwidthTyped(static_cast<const double*>(similarity), n, minBandwidth, w, static_cast<double*>(out), s);
  }
  return bandwidthTyped(static_cast<const float*>(similarity), n, minBandwidth, w, static_cast<float*>(out), s);
}

int kernelPass(MvebSteinDtype dtype, void* similarity, const void* z, int64_t n, int64_t d, const void* bw, double eta,
               void* g, void* stream) {
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned int rows = static_cast<unsigned int>(n);
  if (dtype == MVEB_STEIN_FLOAT64) {
    kernelPassKernel<double>
        <<<rows, kPassThreads, 0, s>>>(static_cast<double*>(similarity), static_cast<const double*>(z), n, d,
                                       static_cast<const double*>(bw), eta, static_cast<double*>(g));
  } else {
    kernelPassKernel<float><<<rows, kPassThreads, 0, s>>>(static_cast<float*>(similarity), static_cast<const float*>(z),
                                                          n, d, static_cast<const float*>(bw), eta,
                                                          static_cast<float*>(g));
  }
  return static_cast<int>(cudaGetLastError());
}

const char* errorString(int status) { return cudaGetErrorString(static_cast<cudaError_t>(status)); }

const MvebSteinCudaKernels kKernels{workspaceBytes, bandwidth, kernelPass, errorString};

// Registers the table when the addon loads (no CUDA call: a machine without a driver loads it too).
const bool kRegistered = (mveb_register_stein_cuda_kernels(&kKernels), true);

}  // namespace
