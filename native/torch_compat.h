// The one place where LibTorch 1.13 (Debian) and 2.x (pip) differ for us.
#pragma once

#include <torch/version.h>

#define MVEB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// c10::Allocator: allocate() lost its const in 2.3; copy_data() became pure virtual in 2.2.
#if MVEB_TORCH_AT_LEAST(2, 3)
#define MVEB_ALLOCATE_CONST
#else
#define MVEB_ALLOCATE_CONST const
#endif
#define MVEB_ALLOCATOR_HAS_COPY_DATA MVEB_TORCH_AT_LEAST(2, 2)

// at::scaled_dot_product_attention (fused attention) arrived in 2.0.
#define MVEB_HAS_FUSED_ATTENTION MVEB_TORCH_AT_LEAST(2, 0)

#include <ATen/Tensor.h>
#include <ATen/autocast_mode.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace mveb::compat {

// Read-only access to tensor data: `const_data_ptr` is 2.1+, `data_ptr` is deprecated there.
inline const void* constDataPtr(const at::Tensor& t) {
#if MVEB_TORCH_AT_LEAST(2, 1)
  return t.const_data_ptr();
#else
  return t.data_ptr();
#endif
}

// The key of a parameter in torch::optim::Optimizer::state(): a string of the TensorImpl
// address in 1.13, the address itself in 2.x. Decided by the map's key type, not by version.
template <typename StateMap>
typename StateMap::key_type optimizerStateKey(const StateMap&, const at::Tensor& param) {
  if constexpr (std::is_same_v<typename StateMap::key_type, std::string>) {
    std::ostringstream key;  // what c10::guts::to_string gives, as 1.13's serializer expects
    key << param.unsafeGetTensorImpl();
    return key.str();
  } else {
    return param.unsafeGetTensorImpl();
  }
}

// Mixed precision for the forward passes in scope (torch.autocast). The per-device API
// arrived in 2.4; 1.13 has one switch for CPU and one for CUDA.
class AutocastGuard {
 public:
  AutocastGuard(c10::DeviceType device, at::ScalarType dtype) : device_(device) {
#if MVEB_TORCH_AT_LEAST(2, 4)
    wasEnabled_ = at::autocast::is_autocast_enabled(device);
    previousDtype_ = at::autocast::get_autocast_dtype(device);
    at::autocast::set_autocast_dtype(device, dtype);
    at::autocast::set_autocast_enabled(device, true);
#else
    const bool cuda = device == c10::DeviceType::CUDA;
    wasEnabled_ = cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
    previousDtype_ = cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
    if (cuda) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
#endif
  }
  ~AutocastGuard() {
#if MVEB_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(device_, wasEnabled_);
    at::autocast::set_autocast_dtype(device_, previousDtype_);
#else
    if (device_ == c10::DeviceType::CUDA) {
      at::autocast::set_enabled(wasEnabled_);
      at::autocast::set_autocast_gpu_dtype(previousDtype_);
    } else {
      at::autocast::set_cpu_enabled(wasEnabled_);
      at::autocast::set_autocast_cpu_dtype(previousDtype_);
    }
#endif
    if (!wasEnabled_) at::autocast::clear_cache();
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType device_;
  bool wasEnabled_ = false;
  at::ScalarType previousDtype_ = at::kFloat;
};

}  // namespace mveb::compat
