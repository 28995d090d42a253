// ResNet-18/34/50/101 exactly as torchvision defines them, without the classifier:
// same modules, same parameter and buffer names, same initialisation.
#pragma once

#include <memory>

#include "models/backbone.h"

namespace mveb {

struct ResNetOptions {
  int depth = 50;  // 18, 34, 50 or 101
  // 3×3 stride-1 first convolution and no max-pool, for 28–64 px images.
  bool smallStem = false;
  // Zero the last BN weight of every residual block, so each block starts as the identity.
  bool zeroInitResidual = true;
};

std::shared_ptr<Backbone> makeResNet(const ResNetOptions& options);

}  // namespace mveb
