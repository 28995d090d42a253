// torchrun's variables as a worker reads them: who is a worker, whose store, and clear refusals.
import t from 'tap';
import { worldFromEnvironment } from '../../lib/distributed/environment.js';

const torchrun = {
  RANK: '1',
  LOCAL_RANK: '1',
  WORLD_SIZE: '4',
  LOCAL_WORLD_SIZE: '2',
  MASTER_ADDR: 'node0',
  MASTER_PORT: '29500',
};

t.test('no WORLD_SIZE, or WORLD_SIZE=1 without RANK: a single process', async (t) => {
  t.equal(worldFromEnvironment({}), undefined);
  t.equal(worldFromEnvironment({ WORLD_SIZE: '1' }), undefined);
});

t.test("torchrun's variables; its agent's store (static rendezvous) makes every rank a client", async (t) => {
  t.same(worldFromEnvironment({ ...torchrun, TORCHELASTIC_USE_AGENT_STORE: 'True', GLOO_SOCKET_IFNAME: 'eth1,eth2' }), {
    rank: 1,
    localRank: 1,
    worldSize: 4,
    localWorldSize: 2,
    masterAddr: 'node0',
    masterPort: 29500,
    agentStore: true,
    interface: 'eth1',
  });
  t.equal(worldFromEnvironment({ ...torchrun, TORCHELASTIC_USE_AGENT_STORE: 'False' })?.agentStore, false);
  t.same(
    worldFromEnvironment({ WORLD_SIZE: '1', RANK: '0', MASTER_PORT: '29500' })?.worldSize,
    1,
    'a job of one is a job',
  );
});

t.test('bad values are refused naming the variable', async (t) => {
  t.throws(() => worldFromEnvironment({ ...torchrun, RANK: '4' }), /RANK 4 is not below WORLD_SIZE 4/);
  t.throws(
    () => worldFromEnvironment({ ...torchrun, MASTER_PORT: 'x' }),
    /MASTER_PORT must be an integer ≥ 1, got 'x'/,
  );
  t.throws(() => worldFromEnvironment({ ...torchrun, MASTER_PORT: '70000' }), /MASTER_PORT must be at most 65535/);
  const { RANK, ...noRank } = torchrun;
  t.throws(() => worldFromEnvironment(noRank), /RANK is not set \(WORLD_SIZE is 4\)/);
});
