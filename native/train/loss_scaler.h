// Dynamic loss scaling for fp16 training, with torch.cuda.amp.GradScaler's rules: start
// at 2^16, halve on a non-finite step, double after 2000 finite steps in a row.
#pragma once

#include <cstdint>

namespace mveb {

struct LossScaler {
  bool enabled = false;
  double scale = 65536.0;
  double growthFactor = 2.0;
  double backoffFactor = 0.5;
  int64_t growthInterval = 2000;
  int64_t growthTracker = 0;

  double factor() const { return enabled ? scale : 1.0; }

  void update(bool finite) {
    if (!enabled) return;
    if (!finite) {
      scale *= backoffFactor;
      growthTracker = 0;
    } else if (++growthTracker == growthInterval) {
      scale *= growthFactor;
      growthTracker = 0;
    }
  }
};

}  // namespace mveb
