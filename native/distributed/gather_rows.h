// Every rank's rows, in rank order, when ranks may hold different numbers of rows (a batch
// that lost undecodable images): Gloo's all-gather needs equal shapes, so rows are padded.
#pragma once

#include <ATen/Tensor.h>

#include "distributed/collectives.h"

namespace mveb {

struct GatheredRows {
  at::Tensor rows;     // [Σ n_r, ...]
  int64_t offset = 0;  // where this rank's rows start
};

GatheredRows gatherRows(Collectives& group, const at::Tensor& local);

}  // namespace mveb
