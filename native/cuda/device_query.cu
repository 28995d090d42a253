// Plain CUDA (no torch headers) so that nvcc can compile it on any machine.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

#include "device_query.h"

extern "C" int mveb_cuda_device_count(void) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return count;
}

extern "C" int mveb_cuda_device_info(int index, MvebCudaDeviceInfo* out, char* error, size_t errorSize) {
  cudaDeviceProp prop;
  cudaError_t status = cudaGetDeviceProperties(&prop, index);
  size_t freeBytes = 0, totalBytes = 0;
  if (status == cudaSuccess) {
    int previous = 0;
    cudaGetDevice(&previous);
    status = cudaSetDevice(index);
    if (status == cudaSuccess) status = cudaMemGetInfo(&freeBytes, &totalBytes);
    cudaSetDevice(previous);
  }
  if (status != cudaSuccess) {
    std::snprintf(error, errorSize, "%s", cudaGetErrorString(status));
    return static_cast<int>(status);
  }
  std::snprintf(out->name, sizeof(out->name), "%s", prop.name);
  out->totalMemory = prop.totalGlobalMem;
  out->freeMemory = freeBytes;
  out->computeMajor = prop.major;
  out->computeMinor = prop.minor;
  out->multiprocessors = prop.multiProcessorCount;
  return 0;
}

extern "C" int mveb_cuda_runtime_version(void) { return CUDART_VERSION; }
