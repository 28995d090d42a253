// Where a process stands in a data-parallel job, whoever started it (torchrun, the built-in
// launcher, srun).
export interface WorldEnvironment {
  rank: number;
  localRank: number;
  worldSize: number;
  localWorldSize: number;
  masterAddr: string;
  masterPort: number;
  /** torchrun's agent hosts the store at MASTER_ADDR:MASTER_PORT; every rank is a client. */
  agentStore: boolean;
  /**
   * torchrun's restart count as a key prefix of the store ('/worker/attempt_N', as PyTorch's own
   * rendezvous does): the agent's store outlives a restart, and the attempt before left its keys.
   */
  storePrefix?: string;
  /** GLOO_SOCKET_IFNAME, read here because LibTorch's C++ does not (only its Python does). */
  interface?: string;
}
