#include "distributed/gloo_group.h"

#include <stdexcept>
#include <utility>
#include <vector>

#include "torch_compat.h"

#if defined(MVEB_WITH_GLOO)
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace mveb {

#if defined(MVEB_WITH_GLOO)
namespace {

// LibTorch 2.x defaults TCPStore to a libuv backend that Debian's and some other builds lack;
// the classic one exists everywhere. 1.13 has no such field.
template <typename Options>
auto useClassicStore(Options& options, int) -> decltype(options.useLibUV = false, void()) {
  options.useLibUV = false;
}
template <typename Options>
void useClassicStore(Options&, long) {}

bool isLoopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

class GlooWork final : public PendingCollective {
 public:
  GlooWork(c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> tensors)
      : work_(std::move(work)), tensors_(std::move(tensors)) {}
  void wait() override { work_->wait(); }

 private:
  c10::intrusive_ptr<c10d::Work> work_;
  std::vector<at::Tensor> tensors_;  // Gloo reads and writes them until the work is done
};

class GlooGroup final : public Collectives {
 public:
  explicit GlooGroup(const ProcessGroupOptions& options) : rank_(options.rank), worldSize_(options.worldSize) {
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = static_cast<uint16_t>(options.masterPort);
    storeOptions.isServer = !options.agentStore && options.rank == 0;
    storeOptions.numWorkers = options.worldSize;
    storeOptions.waitWorkers = false;
    storeOptions.timeout = options.timeout;
    useClassicStore(storeOptions, 0);
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(options.masterAddr, storeOptions);
    if (!options.storePrefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(options.storePrefix, store);
    store_ = c10::make_intrusive<c10d::PrefixStore>("mveb/", store);

    auto glooOptions = c10d::ProcessGroupGloo::Options::create(options.timeout);
    if (!options.interface.empty()) {
      glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(options.interface));
    } else if (isLoopback(options.masterAddr)) {
      glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo/", store_),
                                                         options.rank, options.worldSize, glooOptions);
  }

  int rank() const override { return rank_; }
  int worldSize() const override { return worldSize_; }

  std::unique_ptr<PendingCollective> allReduceSumAsync(at::Tensor& tensor) override {
    TORCH_CHECK(tensor.is_contiguous(), "allReduce: the tensor must be contiguous");
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    auto work = group_->allreduce(tensors, options);
    return std::make_unique<GlooWork>(std::move(work), std::move(tensors));
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

  // Through the store, not Gloo: its wait takes a timeout of its own, as long as the caller needs.
  void barrier(std::chrono::milliseconds timeout) override {
    const std::string round = "barrier/" + std::to_string(barriers_++) + "/";
    store_->set(round + std::to_string(rank_), std::vector<uint8_t>{1});
    std::vector<std::string> keys;
    for (int r = 0; r < worldSize_; ++r) keys.push_back(round + std::to_string(r));
    store_->wait(keys, timeout);
  }

 private:
  int rank_;
  int worldSize_;
  int64_t barriers_ = 0;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};

}  // namespace

bool glooAvailable() { return true; }

std::shared_ptr<Collectives> makeGlooGroup(const ProcessGroupOptions& options) {
  if (options.worldSize < 1 || options.rank < 0 || options.rank >= options.worldSize) {
    throw std::invalid_argument("processGroup: rank " + std::to_string(options.rank) + " is outside world size " +
                                std::to_string(options.worldSize));
  }
  return std::make_shared<GlooGroup>(options);
}

#else

bool glooAvailable() { return false; }

std::shared_ptr<Collectives> makeGlooGroup(const ProcessGroupOptions&) {
  throw std::runtime_error(
      "processGroup: this build has no Gloo (c10d's Gloo headers were not found when it was compiled; "
      "Debian/Ubuntu: apt-get install libgloo-dev, then rebuild)");
}

#endif

}  // namespace mveb
