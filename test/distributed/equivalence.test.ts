// Data-parallel training is the same training: 2 processes × 8 images (Gloo, SyncBN, the global
// Stein scope) end with the weights of 1 process × 16 images, compared by PyTorch; with the
// 'local' Stein scope (the authors' code), or without SyncBN, the run trains and ends elsewhere.
// The recipe warms up (as the paper's): a recipe at full learning rate from step 0 is chaotic
// enough that 1 and 2 threads of one process already end apart (bench/results/
// 2026-11-29-distributed-cpu.md), and so would 1 and 2 processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli, root } from '../helpers/paths.js';
import { oraclePython } from '../helpers/python.js';
import { train } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';
import { start } from '../helpers/processes.js';

const out = tempDir(t, 'mveb-dp-');
// Colour augmentation on (each rank draws its images' rows of the global batch), 2 local crops,
// LARS: every part of the step takes part. 6 steps of a 16-image global batch.
const recipe = [
  '--arch',
  'resnet18',
  '--projector-hidden',
  '32',
  '--projector-out',
  '32',
  '--global-size',
  '16',
  '--workers',
  '1',
  '--data',
  'synthetic:96',
  '--batch-size',
  '16',
  '--epochs',
  '1',
  '--local-crops',
  '2',
  '--local-size',
  '8',
  '--optimizer',
  'lars',
  '--base-lr',
  '0.5',
  '--threads',
  '1',
  '--knn-every',
  '0',
  '--log-every',
  '1',
  '--output',
  out,
  '--quiet',
];

function checkpointOf(name: string): string {
  const dir = join(out, name);
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('checkpoint-'))
    .sort();
  return join(dir, files.at(-1)!);
}

function compare(a: string, b: string): { maxRelative: number; key: string } {
  const script = join(root, 'test', 'distributed', 'compare_checkpoints.py');
  return JSON.parse(execFileSync(oraclePython, [script, a, b], { encoding: 'utf8' }));
}

const single = train([...recipe, '--name', 'one']);
const parallel = train([...recipe, '--name', 'two', '--nproc-per-node', '2']);
const local = train([...recipe, '--name', 'local', '--nproc-per-node', '2', '--stein-scope', 'local']);
const unsynced = train([...recipe, '--name', 'unsynced', '--nproc-per-node', '2', '--no-sync-bn']);

t.test('the three runs end normally', async (t) => {
  t.equal(single.status, 0, single.stderr);
  t.equal(parallel.status, 0, parallel.stderr);
  t.equal(local.status, 0, local.stderr);
  t.equal(unsynced.status, 0, unsynced.stderr);
});

t.test('2 processes × 8 = 1 process × 16: the same weights after 6 steps (relative difference ≤ 1e-4)', async (t) => {
  const diff = compare(checkpointOf('two'), checkpointOf('one'));
  t.ok(diff.maxRelative <= 1e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
});

function losses(name: string): number[] {
  return readFileSync(join(out, name, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'step')
    .map((r) => r.loss as number);
}

t.test("the same loss curve: each step's loss is the mean over ranks of the global batch", async (t) => {
  const one = losses('one');
  const two = losses('two');
  t.equal(one.length, 6);
  t.equal(two.length, 6);
  for (let i = 0; i < 6; i++)
    t.ok(Math.abs(one[i]! - two[i]!) <= 1e-4 * Math.abs(one[i]!), `step ${i + 1}: ${one[i]} vs ${two[i]}`);
});

// Both controls must end well outside the tolerance the equivalence meets (1e-4; it measures
// ~3e-7): the local scope differs only through the entropy term (β = 0.01), by ~9e-4.
t.test("the 'local' Stein scope trains, and ends elsewhere", async (t) => {
  const diff = compare(checkpointOf('local'), checkpointOf('one'));
  t.ok(diff.maxRelative > 5e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
});

t.test('without SyncBN each rank normalises its own 8 images: the weights end elsewhere', async (t) => {
  const diff = compare(checkpointOf('unsynced'), checkpointOf('one'));
  t.ok(diff.maxRelative > 1e-3, `max relative difference ${diff.maxRelative} (${diff.key})`);
});

t.test('the EMA target, the online branch and the BN statistics are identical on both ranks', async (t) => {
  const records = readFileSync(join(out, 'two', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const checkpoints = records.filter((r) => r.type === 'checkpoint');
  t.equal(checkpoints.length, 1);
  t.equal(checkpoints[0].replicaDrift, 0, "per-tensor sums of rank 1 equal rank 0's exactly");
});

t.test('many small gradient buckets: the same weights', async (t) => {
  const run = train([
    ...recipe,
    '--name',
    'buckets',
    '--nproc-per-node',
    '2',
    '--bucket-first-mb',
    '0.01',
    '--bucket-cap-mb',
    '0.1',
  ]);
  t.equal(run.status, 0, run.stderr);
  const diff = compare(checkpointOf('buckets'), checkpointOf('one'));
  t.ok(diff.maxRelative <= 1e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
});

t.test(
  "a job of one (torchrun's variables, 1 process) trains as a plain process: SyncBN's arithmetic = at::batch_norm",
  async (t) => {
    const env = {
      ...process.env,
      WORLD_SIZE: '1',
      RANK: '0',
      LOCAL_RANK: '0',
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(21000 + (process.pid % 20000)),
    };
    const one = spawnSync(process.execPath, [cli, 'train', ...recipe, '--name', 'group-of-one'], {
      encoding: 'utf8',
      env,
    });
    t.equal(one.status, 0, one.stderr);
    const diff = compare(checkpointOf('group-of-one'), checkpointOf('one'));
    t.ok(diff.maxRelative <= 1e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
  },
);

t.test('rank 0 alone writes the run directory and its metrics', async (t) => {
  const metrics = readdirSync(join(out, 'two'));
  t.ok(metrics.includes('metrics.jsonl') && metrics.includes('config.yaml'));
  t.same(readdirSync(out).sort(), ['buckets', 'group-of-one', 'local', 'one', 'two', 'unsynced']);
});

/**
 * Two "nodes" on this machine: two torchrun agents with --nnodes 2, one process each, started
 * together (torchrun's rendezvous waits for both). Python 3.11 needs --log_dir, -r and -t with
 * Debian's torchrun 1.13 (its Std parsing).
 */
async function twoNodes(
  name: string,
  rendezvous: (node: number) => string[],
): Promise<Array<{ code: number | null; stderr: string }>> {
  const agents = [0, 1].map(
    (node) =>
      start(oraclePython, [
        '-m',
        'torch.distributed.run',
        '--nnodes',
        '2',
        '--nproc_per_node',
        '1',
        ...rendezvous(node),
        '--no_python',
        '--log_dir',
        join(out, `${name}-logs-${node}`),
        '-r',
        '1',
        '-t',
        '1',
        process.execPath,
        cli,
        'train',
        ...recipe,
        '--name',
        name,
      ]).exit,
  );
  return Promise.all(agents);
}

t.test('two nodes through static rendezvous (--node_rank, one master): the weights of 1 process × 16', async (t) => {
  const port = String(21000 + (process.pid % 20000));
  const ended = await twoNodes('static', (node) => [
    '--node_rank',
    String(node),
    '--master_addr',
    '127.0.0.1',
    '--master_port',
    port,
  ]);
  ended.forEach(({ code, stderr }, node) => t.equal(code, 0, `node ${node}: ${stderr.slice(-2000)}`));
  const diff = compare(checkpointOf('static'), checkpointOf('one'));
  t.ok(diff.maxRelative <= 1e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
});

t.test('two nodes through c10d rendezvous (torchrun numbers the nodes): the weights of 1 process × 16', async (t) => {
  const endpoint = `127.0.0.1:${22000 + (process.pid % 20000)}`;
  const ended = await twoNodes('c10d', () => [
    '--rdzv_backend',
    'c10d',
    '--rdzv_endpoint',
    endpoint,
    '--rdzv_id',
    'mveb-c10d',
  ]);
  ended.forEach(({ code, stderr }, node) => t.equal(code, 0, `node ${node}: ${stderr.slice(-2000)}`));
  const diff = compare(checkpointOf('c10d'), checkpointOf('one'));
  t.ok(diff.maxRelative <= 1e-4, `max relative difference ${diff.maxRelative} (${diff.key})`);
});
