// Process groups with torchrun's conventions: rank 0 hosts the TCPStore at
// MASTER_ADDR:MASTER_PORT unless torchrun's agent already does (TORCHELASTIC_USE_AGENT_STORE).
// Gloo here (CPU tensors); NCCL in nccl_group.h.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "distributed/collectives.h"

namespace mveb {

struct ProcessGroupOptions {
  int rank = 0;
  int worldSize = 1;
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  // torchrun's agent hosts the store: every rank, rank 0 included, is a client.
  bool agentStore = false;
  // Keys under this prefix (torchrun 1.13 uses "/worker/attempt_<restart>").
  std::string storePrefix;
  // Collectives fail after this: a dead or hung rank ends the others.
  std::chrono::milliseconds timeout{30000};
  // Joining: every rank has this long to reach the store and say it is there; a rank that never
  // does is named (static rendezvous and srun have no agent to notice it).
  std::chrono::milliseconds joinTimeout{300000};
  // GLOO_SOCKET_IFNAME: the network interface to use; empty: loopback for a loopback master,
  // else the address of this host's name.
  std::string interface;
  // NCCL: this rank's GPU (LOCAL_RANK).
  int cudaDevice = 0;
};

// Throws std::invalid_argument unless 0 <= rank < worldSize.
void checkRank(const ProcessGroupOptions& options);

// Whether this build has Gloo (LibTorch's c10d headers and Gloo's, USE_C10D_GLOO).
bool glooAvailable();

// Blocks until every rank has joined or the timeout passes.
std::shared_ptr<Collectives> makeGlooGroup(const ProcessGroupOptions& options);

}  // namespace mveb
