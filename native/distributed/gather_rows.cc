#include "distributed/gather_rows.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <vector>

namespace mveb {

GatheredRows gatherRows(Collectives& group, const at::Tensor& local) {
  const at::Tensor counts =
      group.allGather(at::full({1}, local.size(0), at::TensorOptions().dtype(at::kLong).device(group.device()))).cpu();
  const int64_t* count = counts.data_ptr<int64_t>();
  int64_t most = 0;
  GatheredRows out;
  for (int r = 0; r < group.worldSize(); ++r) {
    most = std::max(most, count[r]);
    if (r < group.rank()) out.offset += count[r];
  }
  at::Tensor padded = local;
  if (local.size(0) < most) {
    std::vector<int64_t> shape = local.sizes().vec();
    shape[0] = most - local.size(0);
    padded = at::cat({local, at::zeros(shape, local.options())});
  }
  const at::Tensor all = group.allGather(padded);
  std::vector<at::Tensor> parts;
  for (int r = 0; r < group.worldSize(); ++r) parts.push_back(all.narrow(0, r * most, count[r]));
  out.rows = at::cat(parts);
  return out;
}

}  // namespace mveb
