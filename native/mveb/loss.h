// The MVEB objective: alignment of paired views plus the entropy surrogate.
#pragma once

#include <ATen/Tensor.h>

#include <vector>

#include "distributed/collectives.h"
#include "mveb/stein.h"

namespace mveb {

struct EntropyResult {
  at::Tensor value;      // 0-dim: U = mean_n <−score_n, z_n>, differentiable in z (score detached)
  at::Tensor bandwidth;  // 0-dim
};

// Its gradient w.r.t. z is −score/N: ascending U follows the entropy gradient of the paper (eq. 17).
// With a group of more than one rank, the score of this rank's rows is estimated from every
// rank's rows (the global batch), so that the result does not depend on the number of processes.
EntropyResult entropySurrogate(const at::Tensor& z, const SteinOptions& options = {}, Collectives* group = nullptr);

struct MvebLossOptions {
  double beta = 0.01;  // weight of the entropy term; the paper sees collapse at 0.001
  SteinOptions stein;
  // 'global' Stein scope: the score over every rank's embeddings (nullptr: this rank's only,
  // as the authors' code does). Not owned.
  Collectives* steinGroup = nullptr;
};

struct MvebLossResult {
  at::Tensor loss;        // L = −A − β·U
  at::Tensor alignment;   // A
  at::Tensor uniformity;  // U
  at::Tensor bandwidths;  // [V], one per online view
};

// `online`: V ≥ 2 L2-normalised embeddings [N, d]: 2 global views, then local views.
// `targets`: the 2 global views' target embeddings, or empty for a shared target
// (the online global embeddings, detached). Pairing: global 1 ↔ target 2,
// global 2 ↔ target 1, each local view ↔ the mean of the two targets.
MvebLossResult mvebLoss(const std::vector<at::Tensor>& online, const std::vector<at::Tensor>& targets,
                        const MvebLossOptions& options = {});

}  // namespace mveb
