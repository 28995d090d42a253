// A CPU allocator that keeps freed large blocks for reuse. Training allocates the same
// activation sizes every step; glibc returns such blocks to the kernel (and, on the device
// thread's own arena, more eagerly than on the main thread), so every step pays page faults
// to get them back. Measured on ResNet-50 at batch 32: 8.6M faults in 3 steps.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mveb {

struct CpuCacheStats {
  uint64_t hits = 0;       // large allocations served from the cache
  uint64_t misses = 0;     // large allocations that went to the system
  size_t cachedBytes = 0;  // free blocks held now
  size_t limitBytes = 0;   // the most it will hold
  bool installed = false;
};

// Installs the allocator as LibTorch's CPU allocator (once; later calls do nothing).
// Blocks under 1 MiB are left to the system allocator. MVEB_CPU_CACHE_BYTES sets the limit
// (default: a quarter of physical memory); MVEB_CPU_ALLOCATOR=system leaves LibTorch's own.
void installCachingCpuAllocator();

CpuCacheStats cpuCacheStats();

}  // namespace mveb
