// torchrun's variables as a worker reads them: who is a worker, whose store, and clear refusals.
import t from 'tap';
import { worldFromEnvironment } from '../../lib/distributed/environment.js';
import { parseNodeList, parseTasksPerNode } from '../../lib/distributed/slurm.js';

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

const srun = {
  SLURM_PROCID: '3',
  SLURM_LOCALID: '1',
  SLURM_NTASKS: '4',
  SLURM_NODEID: '1',
  SLURM_TASKS_PER_NODE: '2(x2)',
  SLURM_JOB_ID: '123456',
  SLURM_JOB_NODELIST: 'gpu[07-08]',
};

t.test(
  "srun's variables: rank, size and local rank; rank 0's host from the node list, the port from the job id",
  async (t) => {
    t.same(worldFromEnvironment(srun), {
      rank: 3,
      localRank: 1,
      worldSize: 4,
      localWorldSize: 2,
      masterAddr: 'gpu07',
      masterPort: 15000 + (123456 % 20000),
      agentStore: false,
    });
    // MASTER_ADDR and MASTER_PORT win; the step's own size and node list win over the job's.
    t.match(
      worldFromEnvironment({
        ...srun,
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: '29511',
        SLURM_STEP_NUM_TASKS: '8',
        SLURM_STEP_NODELIST: 'cpu3',
      }),
      { worldSize: 8, masterAddr: '127.0.0.1', masterPort: 29511 },
    );
    t.equal(
      worldFromEnvironment({ ...srun, SLURM_NTASKS: '1', SLURM_PROCID: '0' }),
      undefined,
      'one task: a single process',
    );
    t.match(
      worldFromEnvironment({ ...srun, WORLD_SIZE: '2', RANK: '0', MASTER_PORT: '1' }),
      { worldSize: 2 },
      "torchrun's win",
    );
  },
);

t.test('srun: what is missing or wrong is named in one line', async (t) => {
  const { SLURM_LOCALID: _, ...noLocal } = srun;
  t.throws(() => worldFromEnvironment(noLocal), {
    name: 'InputError',
    message: 'srun job: SLURM_LOCALID is not set (SLURM sets it for each task)',
  });
  const { SLURM_JOB_NODELIST: __, ...noNodes } = srun;
  t.throws(() => worldFromEnvironment(noNodes), {
    message: /neither MASTER_ADDR nor SLURM_STEP_NODELIST\/SLURM_JOB_NODELIST is set/,
  });
  const { SLURM_JOB_ID: ___, ...noJob } = srun;
  t.throws(() => worldFromEnvironment(noJob), {
    message: 'srun job: SLURM_JOB_ID is not set (SLURM sets it for each task)',
  });
  t.throws(() => worldFromEnvironment({ ...srun, SLURM_PROCID: '4' }), {
    message: 'srun job: SLURM_PROCID 4 is not below the 4 tasks',
  });
});

t.test("SLURM's node lists and tasks per node", async (t) => {
  t.same(parseNodeList('node[01-04,07]'), ['node01', 'node02', 'node03', 'node04', 'node07']);
  t.same(parseNodeList('a[1-2],b3'), ['a1', 'a2', 'b3']);
  t.same(parseNodeList('single'), ['single']);
  t.same(parseNodeList('r[1-2]n[09-10]'), ['r1n09', 'r1n10', 'r2n09', 'r2n10']);
  t.same(parseNodeList('x[8-11],y'), ['x8', 'x9', 'x10', 'x11', 'y']);
  t.throws(() => parseNodeList('n[1-'), { message: "SLURM node list 'n[1-': a '[' without its ']'" });
  t.throws(() => parseNodeList('n[3-1]'), { message: "SLURM node list 'n[3-1]': the range '3-1' runs backwards" });
  t.throws(() => parseNodeList('n[a]'), { message: "SLURM node list 'n[a]': 'a' is not a number or a range" });
  t.same(parseTasksPerNode('2(x3),1'), [2, 2, 2, 1]);
  t.same(parseTasksPerNode('4'), [4]);
});

t.test("torchrun's restart count prefixes the store's keys, as PyTorch's own rendezvous does", async (t) => {
  t.match(worldFromEnvironment({ ...torchrun, TORCHELASTIC_RESTART_COUNT: '2' }), { storePrefix: '/worker/attempt_2' });
  t.notOk('storePrefix' in worldFromEnvironment(torchrun)!, 'not started by torchrun: no prefix');
});
