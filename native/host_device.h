// Functions marked MVEB_HOST_DEVICE compile for the CPU and, under nvcc, for CUDA kernels too:
// the arithmetic of each kernel lives in them so that CPU tests cover it on machines without a GPU.
#pragma once

#if defined(__CUDACC__)
#define MVEB_HOST_DEVICE __host__ __device__
#else
#define MVEB_HOST_DEVICE
#endif
