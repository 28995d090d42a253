// The one place where LibTorch 1.13 (Debian) and 2.x (pip) differ for us.
#pragma once

#include <torch/version.h>

#define MVEB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// at::scaled_dot_product_attention (fused attention) arrived in 2.0.
#define MVEB_HAS_FUSED_ATTENTION MVEB_TORCH_AT_LEAST(2, 0)

#include <ATen/Tensor.h>

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

}  // namespace mveb::compat
