// Collectives over a c10d backend (ProcessGroupGloo, ProcessGroupNCCL): the calls are the same
// whether they are ProcessGroups (LibTorch 1.13) or Backends (2.x). Included only by the
// translation units that compile a backend (gloo_group.cc, nccl_group.cc).
#pragma once

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/csrc/distributed/c10d/Work.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "distributed/collectives.h"
#include "distributed/gloo_group.h"

namespace mveb::c10d_detail {

// LibTorch 2.x defaults TCPStore to a libuv backend that Debian's and some other builds lack;
// the classic one exists everywhere. 1.13 has no such field.
template <typename Options>
auto useClassicStore(Options& options, int) -> decltype(options.useLibUV = false, void()) {
  options.useLibUV = false;
}
template <typename Options>
void useClassicStore(Options&, long) {}

inline std::string seconds(std::chrono::milliseconds duration) {
  return std::to_string(duration.count() / 1000) + " s";
}

// Each rank says it is there; every rank waits for all of them, so that a rank that never comes
// is named instead of surfacing as a timeout deep in the backend's connect.
inline void awaitEveryRank(c10d::Store& store, const ProcessGroupOptions& options) {
  store.set("joined/" + std::to_string(options.rank), std::vector<uint8_t>{1});
  std::vector<std::string> keys;
  for (int r = 0; r < options.worldSize; ++r) keys.push_back("joined/" + std::to_string(r));
  const auto deadline = std::chrono::steady_clock::now() + options.joinTimeout;
  while (!store.check(keys)) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::string missing, joined;
      for (int r = 0; r < options.worldSize; ++r) {
        std::string& list = store.check({keys[r]}) ? joined : missing;
        list += (list.empty() ? "" : ", ") + std::to_string(r);
      }
      throw std::runtime_error("rank " + missing + " of " + std::to_string(options.worldSize) +
                               " did not join within " + seconds(options.joinTimeout) + " (joined: " + joined +
                               "); every rank must start with the same MASTER_ADDR:MASTER_PORT (" + options.masterAddr +
                               ":" + std::to_string(options.masterPort) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The job's store (rank 0 hosts it unless torchrun's agent does), under this addon's prefix,
// once every rank is there.
inline c10::intrusive_ptr<c10d::Store> connectStore(const ProcessGroupOptions& options) {
  c10d::TCPStoreOptions storeOptions;
  storeOptions.port = static_cast<uint16_t>(options.masterPort);
  storeOptions.isServer = !options.agentStore && options.rank == 0;
  storeOptions.numWorkers = options.worldSize;
  storeOptions.waitWorkers = false;
  storeOptions.timeout = options.joinTimeout;
  useClassicStore(storeOptions, 0);
  c10::intrusive_ptr<c10d::TCPStore> tcp;
  try {
    tcp = c10::make_intrusive<c10d::TCPStore>(options.masterAddr, storeOptions);
  } catch (const std::exception& error) {
    if (storeOptions.isServer) throw;
    const std::string host = options.agentStore ? "torchrun's agent" : "rank 0";
    throw std::runtime_error("the store at " + options.masterAddr + ":" + std::to_string(options.masterPort) + " (" +
                             host + "'s) did not answer within " + seconds(options.joinTimeout) + ": " + host +
                             " never joined (" + error.what() + ")");
  }
  c10::intrusive_ptr<c10d::Store> store = tcp;
  if (!options.storePrefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(options.storePrefix, store);
  store = c10::make_intrusive<c10d::PrefixStore>("mveb/", store);
  awaitEveryRank(*store, options);
  // Past joining, the store serves the backend's connect (the TCPStore's own timeout; a prefix
  // store's is its own) and our barriers, which set theirs.
  tcp->setTimeout(options.timeout);
  return store;
}

class Work final : public PendingCollective {
 public:
  Work(c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> tensors)
      : work_(std::move(work)), tensors_(std::move(tensors)) {}
  void wait() override { work_->wait(); }

 private:
  c10::intrusive_ptr<c10d::Work> work_;
  std::vector<at::Tensor> tensors_;  // the backend reads and writes them until the work is done
};

template <typename Group>
class C10dCollectives final : public Collectives {
 public:
  C10dCollectives(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Group> group, int rank, int worldSize,
                  c10::Device device)
      : store_(std::move(store)), group_(std::move(group)), rank_(rank), worldSize_(worldSize), device_(device) {}

  int rank() const override { return rank_; }
  int worldSize() const override { return worldSize_; }
  c10::Device device() const override { return device_; }

  std::unique_ptr<PendingCollective> allReduceSumAsync(at::Tensor& tensor) override {
    TORCH_CHECK(tensor.is_contiguous(), "allReduce: the tensor must be contiguous");
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    auto work = group_->allreduce(tensors, options);
    return std::make_unique<Work>(std::move(work), std::move(tensors));
  }

  at::Tensor allGather(const at::Tensor& local) override {
    std::vector<at::Tensor> input{local.contiguous()};
    std::vector<std::vector<at::Tensor>> output(1);
    for (int r = 0; r < worldSize_; ++r) output[0].push_back(at::empty_like(input[0]));
    group_->allgather(output, input)->wait();
    return at::cat(output[0], 0);
  }

  void broadcast(at::Tensor& tensor, int root) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    group_->broadcast(tensors, options)->wait();
  }

  // Through the store, not the backend: its wait takes a timeout of its own.
  void barrier(std::chrono::milliseconds timeout) override {
    const std::string round = "barrier/" + std::to_string(barriers_++) + "/";
    store_->set(round + std::to_string(rank_), std::vector<uint8_t>{1});
    std::vector<std::string> keys;
    for (int r = 0; r < worldSize_; ++r) keys.push_back(round + std::to_string(r));
    store_->wait(keys, timeout);
  }

 private:
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Group> group_;
  int rank_;
  int worldSize_;
  c10::Device device_;
  int64_t barriers_ = 0;
};

}  // namespace mveb::c10d_detail
