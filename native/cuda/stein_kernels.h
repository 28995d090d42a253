/* The fused Stein kernels on CUDA behind a C interface: the C++ sources (built once, for CPU
 * and CUDA addons alike) reach them through a table the CUDA sources register at load, so
 * nothing outside native/cuda needs CUDA headers and a CPU addon simply has no table. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum MvebSteinDtype { MVEB_STEIN_FLOAT32 = 0, MVEB_STEIN_FLOAT64 = 1 } MvebSteinDtype;

typedef struct MvebSteinCudaKernels {
  /* Bytes of device scratch memory `bandwidth` needs. */
  size_t (*bandwidthWorkspaceBytes)(void);
  /* bandwidth[0] = max(the ⌊n²/2⌋-th largest of the n² values 1 − similarity, minBandwidth), by
   * radix selection on the device (no host synchronisation). similarity: n × n, contiguous. */
  int (*bandwidth)(MvebSteinDtype dtype, const void* similarity, int64_t n, double minBandwidth, void* workspace,
                   void* bandwidth, void* stream);
  /* In one pass over similarity (n × n, overwritten): K = exp(S / τ) with η added on the
   * diagonal, and g (n × d) = rowsum(K) ⊙ z / τ; τ read from bandwidth[0] on the device. */
  int (*kernelPass)(MvebSteinDtype dtype, void* similarity, const void* z, int64_t n, int64_t d, const void* bandwidth,
                    double eta, void* g, void* stream);
  /* The text of a status returned above. */
  const char* (*errorString)(int status);
} MvebSteinCudaKernels;

/* Defined by the C++ side; the CUDA sources call it once when the addon loads. */
void mveb_register_stein_cuda_kernels(const MvebSteinCudaKernels* kernels);

#ifdef __cplusplus
}
#endif
