// The EMA target update: target ← m·target + (1 − m)·online, in place, without autograd.
#pragma once

#include <ATen/Tensor.h>

#include <vector>

namespace mveb {

void emaUpdate(const std::vector<at::Tensor>& target, const std::vector<at::Tensor>& online, double momentum);

}  // namespace mveb
