// One MVEB training step, whole, on the device: online forward over all views, target
// forward over the global views, the loss, backward, a non-finite check, the optimiser
// step at the step's learning rate, the EMA update at the step's momentum.
#pragma once

#include <torch/optim/optimizer.h>

#include <vector>

#include "models/siamese.h"
#include "mveb/loss.h"
#include "train/loss_scaler.h"

namespace mveb {

struct TrainStepOptions {
  double lr = 0.0;
  double emaMomentum = 0.996;
  MvebLossOptions loss;
};

struct TrainStepStats {
  double loss = 0.0;
  double alignment = 0.0;
  double uniformity = 0.0;
  std::vector<double> bandwidths;
  double gradNorm = 0.0;  // of the unscaled gradients, before the step
  bool skipped = false;   // non-finite loss or gradients: nothing was applied
  double lossScale = 1.0;
  double seconds = 0.0;
};

// `views`: 2 global views then the local views, float [N, 3, H, W] each, on the model's device.
// A skipped step leaves parameters, optimiser state and BN statistics as they were.
TrainStepStats trainStep(SiameseModel& model, torch::optim::Optimizer& optimizer, LossScaler& scaler,
                         const std::vector<at::Tensor>& views, const TrainStepOptions& options);

}  // namespace mveb
