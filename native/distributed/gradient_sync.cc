#include "distributed/gradient_sync.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

#include <chrono>
#include <utility>

namespace mveb {

std::vector<std::vector<size_t>> assignBuckets(const std::vector<at::Tensor>& params, const BucketSizes& sizes) {
  std::vector<std::vector<size_t>> buckets;
  size_t bytes = 0;
  for (size_t i = params.size(); i-- > 0;) {
    const size_t limit = buckets.size() <= 1 ? sizes.firstBytes : sizes.capBytes;
    if (buckets.empty() || (bytes >= limit && !buckets.back().empty())) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(i);
    bytes += static_cast<size_t>(params[i].numel()) * params[i].element_size();
  }
  return buckets;
}

GradientSync::GradientSync(std::vector<at::Tensor> params, std::shared_ptr<Collectives> group, BucketSizes sizes)
    : params_(std::move(params)), group_(std::move(group)), self_(std::make_shared<GradientSync*>(this)) {
  TORCH_CHECK(!params_.empty(), "GradientSync: no parameters");
  for (const auto& p : params_) {
    TORCH_CHECK(p.scalar_type() == params_[0].scalar_type() && p.device() == params_[0].device(),
                "GradientSync: every parameter must have one dtype and device");
  }
  bucketOf_.resize(params_.size());
  slotOf_.resize(params_.size());
  arrived_.assign(params_.size(), false);
  for (auto& indices : assignBuckets(params_, sizes)) {
    Bucket bucket;
    int64_t offset = 0;
    for (size_t slot = 0; slot < indices.size(); ++slot) {
      const size_t i = indices[slot];
      bucketOf_[i] = buckets_.size();
      slotOf_[i] = slot;
      bucket.offsets.push_back(offset);
      offset += params_[i].numel();
    }
    bucket.params = std::move(indices);
    bucket.flat = at::zeros({offset}, params_[0].options());
    buckets_.push_back(std::move(bucket));
  }
  std::weak_ptr<GradientSync*> weak = self_;
  for (size_t i = 0; i < params_.size(); ++i) {
    // A leaf's hook runs once per backward, with the gradient summed over every use of it.
    params_[i].register_hook([weak, i](const at::Tensor& grad) {
      if (auto self = weak.lock()) (*self)->onGradient(i, grad);
    });
  }
}

GradientSync::~GradientSync() { *self_ = nullptr; }

void GradientSync::prepare() {
  TORCH_CHECK(!active_, "GradientSync: prepare() twice without finish()");
  for (auto& bucket : buckets_) {
    bucket.pending = bucket.params.size();
    bucket.work.reset();
  }
  arrived_.assign(params_.size(), false);
  nextToLaunch_ = 0;
  active_ = true;
}

void GradientSync::onGradient(size_t param, const at::Tensor& grad) {
  if (!active_ || arrived_[param]) return;
  arrived_[param] = true;
  Bucket& bucket = buckets_[bucketOf_[param]];
  const int64_t offset = bucket.offsets[slotOf_[param]];
  bucket.flat.narrow(0, offset, grad.numel()).copy_(grad.detach().reshape({-1}));
  --bucket.pending;
  launchReady();
}

// In bucket order only: every rank must issue the same collectives in the same order.
void GradientSync::launchReady() {
  while (nextToLaunch_ < buckets_.size() && buckets_[nextToLaunch_].pending == 0) {
    Bucket& bucket = buckets_[nextToLaunch_++];
    bucket.work = group_->allReduceSumAsync(bucket.flat);
  }
}

void GradientSync::finish() {
  TORCH_CHECK(active_, "GradientSync: finish() without prepare()");
  active_ = false;
  for (auto& bucket : buckets_) {
    for (size_t slot = 0; slot < bucket.params.size(); ++slot) {
      const size_t i = bucket.params[slot];
      if (arrived_[i]) continue;
      bucket.flat.narrow(0, bucket.offsets[slot], params_[i].numel()).zero_();
      --bucket.pending;
    }
  }
  launchReady();
  const auto started = std::chrono::steady_clock::now();
  for (auto& bucket : buckets_) bucket.work->wait();
  exposedSeconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  at::NoGradGuard noGrad;
  const double scale = 1.0 / group_->worldSize();
  for (auto& bucket : buckets_) {
    bucket.flat.mul_(scale);
    for (size_t slot = 0; slot < bucket.params.size(); ++slot) {
      at::Tensor& p = params_[bucket.params[slot]];
      at::Tensor mean = bucket.flat.narrow(0, bucket.offsets[slot], p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(mean);
      } else {
        p.mutable_grad() = mean.clone();
      }
    }
  }
}

}  // namespace mveb
