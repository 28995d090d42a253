// Hot CPU loops are compiled twice, for AVX2 and for the baseline, and the loader picks
// one at start-up (GCC function multiversioning): fast on current x86 machines, still
// correct on any x86-64. No FMA, so both versions round exactly the same way.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__) && defined(__x86_64__) && defined(__linux__)
#define MVEB_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MVEB_SIMD_CLONES
#endif
