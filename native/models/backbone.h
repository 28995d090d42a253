// What every backbone offers the Siamese model: pooled features of an image batch.
#pragma once

#include <torch/nn/module.h>

namespace mveb {

class Backbone : public torch::nn::Module {
 public:
  // images: float [N, 3, H, W], normalised. Returns features [N, featureDim()].
  virtual at::Tensor forward(const at::Tensor& images) = 0;
  virtual int64_t featureDim() const = 0;
};

}  // namespace mveb
