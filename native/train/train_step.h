// One MVEB training step, whole, on the device: online forward over all views, target
// forward over the global views, the loss, backward, a non-finite check, the optimiser
// step at the step's learning rate, the EMA update at the step's momentum.
#pragma once

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

#include "distributed/collectives.h"
#include "distributed/gradient_sync.h"
#include "models/siamese.h"
#include "mveb/loss.h"
#include "train/loss_scaler.h"

namespace mveb {

struct TrainStepOptions {
  double lr = 0.0;
  double emaMomentum = 0.996;
  MvebLossOptions loss;
};

// Data-parallel training: gradients averaged over the group's ranks during backward; the
// reported loss terms are means over ranks. SyncBN and the Stein scope are set up apart.
struct DataParallel {
  std::shared_ptr<Collectives> group;
  std::unique_ptr<GradientSync> gradients;
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
  double exposedCommunicationSeconds = 0.0;  // waiting for gradients after backward (data-parallel)
};

// `views`: 2 global views then the local views, float [N, 3, H, W] each, on the model's device.
// A skipped step leaves parameters, optimiser state and BN statistics as they were; with
// `parallel`, every rank skips together (a non-finite gradient on one rank is one on all).
TrainStepStats trainStep(SiameseModel& model, torch::optim::Optimizer& optimizer, LossScaler& scaler,
                         const std::vector<at::Tensor>& views, const TrainStepOptions& options,
                         DataParallel* parallel = nullptr);

}  // namespace mveb
