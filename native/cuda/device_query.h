/* CUDA device facts for `mveb-torch info`: a C interface so C++ sources need no CUDA headers. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MvebCudaDeviceInfo {
  char name[256];
  size_t totalMemory;
  size_t freeMemory;
  int computeMajor;
  int computeMinor;
  int multiprocessors;
} MvebCudaDeviceInfo;

/* Number of visible devices, or 0 when there is no usable driver. */
int mveb_cuda_device_count(void);

/* 0 on success; otherwise a CUDA error code, with its text in `error` (size `errorSize`). */
int mveb_cuda_device_info(int index, MvebCudaDeviceInfo* out, char* error, size_t errorSize);

/* The CUDA runtime version this addon was compiled against, e.g. 13000. */
int mveb_cuda_runtime_version(void);

#ifdef __cplusplus
}
#endif
