#include "memory/caching_cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "torch_compat.h"

namespace mveb {
namespace {

constexpr size_t kMinCachedBytes = size_t{1} << 20;
constexpr size_t kGranularity = size_t{1} << 20;

size_t defaultLimit() {
  if (const char* env = std::getenv("MVEB_CPU_CACHE_BYTES")) return std::strtoull(env, nullptr, 10);
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long pageSize = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(pageSize) / 4 : 0;
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) MVEB_ALLOCATE_CONST override {
    if (bytes < kMinCachedBytes) {
      void* data = bytes ? c10::alloc_cpu(bytes) : nullptr;
      return {data, data, &freeBlock, c10::Device(c10::DeviceType::CPU)};
    }
    const size_t size = (bytes + kGranularity - 1) / kGranularity * kGranularity;
    void* data = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& free = free_[size];
      if (!free.empty()) {
        data = free.back();
        free.pop_back();
        cachedBytes_ -= size;
        ++hits_;
      } else {
        ++misses_;
      }
    }
    if (!data) data = c10::alloc_cpu(size);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_[data] = size;
    }
    return {data, data, &freeBlock, c10::Device(c10::DeviceType::CPU)};
  }

  // One deleter for every block, as raw_allocate/raw_deallocate (used by oneDNN) require.
  c10::DeleterFnPtr raw_deleter() const override { return &freeBlock; }

#if MVEB_ALLOCATOR_HAS_COPY_DATA
  void copy_data(void* dest, const void* src, size_t count) const override { std::memcpy(dest, src, count); }
#endif

  void release(void* data) {
    bool cached = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto found = live_.find(data);
      // Blocks under 1 MiB were never recorded: they go straight back to the system.
      if (found != live_.end()) {
        const size_t size = found->second;
        live_.erase(found);
        if (cachedBytes_ + size <= limit_) {
          free_[size].push_back(data);
          cachedBytes_ += size;
          cached = true;
        }
      }
    }
    if (!cached) c10::free_cpu(data);
  }

  CpuCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {hits_, misses_, cachedBytes_, limit_, true};
  }

 private:
  static void freeBlock(void* data);

  // Mutable: LibTorch < 2.3 declares allocate() const.
  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable std::unordered_map<void*, size_t> live_;
  mutable size_t cachedBytes_ = 0;
  const size_t limit_ = defaultLimit();
  mutable uint64_t hits_ = 0, misses_ = 0;
};

// Lives until the process ends (tensors may be freed by static destructors): never destroyed.
CachingCpuAllocator& instance() {
  static CachingCpuAllocator* allocator = std::make_unique<CachingCpuAllocator>().release();
  return *allocator;
}

void CachingCpuAllocator::freeBlock(void* data) {
  if (data) instance().release(data);
}

bool installedFlag = false;

}  // namespace

void installCachingCpuAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* choice = std::getenv("MVEB_CPU_ALLOCATOR");
    if (choice && std::string(choice) == "system") return;
    c10::SetCPUAllocator(&instance(), /*priority=*/1);
    installedFlag = true;
  });
}

CpuCacheStats cpuCacheStats() {
  if (!installedFlag) return {};
  return instance().stats();
}

}  // namespace mveb
