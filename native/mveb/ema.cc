#include "mveb/ema.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

namespace mveb {

void emaUpdate(const std::vector<at::Tensor>& target, const std::vector<at::Tensor>& online, double momentum) {
  TORCH_CHECK(target.size() == online.size(), "emaUpdate: ", target.size(), " target tensors but ", online.size(),
              " online tensors");
  TORCH_CHECK(momentum >= 0 && momentum <= 1, "emaUpdate: momentum must be in [0, 1], got ", momentum);
  for (size_t i = 0; i < target.size(); ++i) {
    TORCH_CHECK(target[i].sizes() == online[i].sizes(), "emaUpdate: tensor ", i, " has target shape ",
                target[i].sizes(), " but online shape ", online[i].sizes());
  }
  at::NoGradGuard noGrad;
  // One fused kernel per op over all tensors instead of two per tensor.
  at::_foreach_mul_(target, momentum);
  at::_foreach_add_(target, online, 1 - momentum);
}

}  // namespace mveb
