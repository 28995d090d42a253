// The one place where LibTorch 1.13 (Debian) and 2.x (pip) differ for us.
#pragma once

#include <torch/version.h>

#define MVEB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// at::scaled_dot_product_attention (fused attention) arrived in 2.0.
#define MVEB_HAS_FUSED_ATTENTION MVEB_TORCH_AT_LEAST(2, 0)

#include <ATen/Tensor.h>

namespace mveb::compat {

// Read-only access to tensor data: `const_data_ptr` is 2.1+, `data_ptr` is deprecated there.
inline const void* constDataPtr(const at::Tensor& t) {
#if MVEB_TORCH_AT_LEAST(2, 1)
  return t.const_data_ptr();
#else
  return t.data_ptr();
#endif
}

}  // namespace mveb::compat
