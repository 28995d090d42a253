// Nodes need not share a file system: two "nodes" (two srun tasks on localhost) with separate
// --output folders. Only node 0's folder holds the run; rank 0 alone decides to resume, reads the
// checkpoint and gives rank 1 the configuration, the position, the weights and the momentum
// buffers. Automatic resume continues the run to an uninterrupted run's weights, bit for bit.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { cli } from '../helpers/paths.js';
import { bytesOf, modelFlags, train } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';
import { srunTask, start } from '../helpers/processes.js';

const base = tempDir(t, 'mveb-nodes-');
const outputs = [join(base, 'node0'), join(base, 'node1')];
outputs.forEach((dir) => mkdirSync(dir));
// 64 images, a global batch of 16 (8 per rank): 4 steps an epoch, 2 epochs.
const recipe = [
  ...modelFlags,
  '--data',
  'synthetic:64',
  '--batch-size',
  '16',
  '--epochs',
  '2',
  '--threads',
  '1',
  '--knn-every',
  '0',
  '--log-every',
  '1',
  '--quiet',
];
const checkpoints = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.pth'))
        .sort()
    : [];

/**
 * The same command on two "nodes", each with its own --output: two tasks as srun starts them
 * (SLURM's variables, rank 0's store at 127.0.0.1), one per node. The launcher does not matter
 * here (torchrun's two-node runs are test/distributed/equivalence.test.ts); srun's needs no
 * Python agent per node.
 */
async function twoNodes(extra: string[], port: number): Promise<Array<{ code: number | null; stderr: string }>> {
  const tasks = [0, 1].map(
    (node) =>
      start(
        process.execPath,
        [cli, 'train', ...recipe, '--output', outputs[node]!, '--name', 'run', ...extra],
        srunTask(node, { tasks: 2, nodes: 2, port, job: '5150' }),
      ).exit,
  );
  return Promise.all(tasks);
}

t.test(
  'two nodes, separate output folders: --auto-resume continues from node 0’s checkpoint, bit-identical',
  async (t) => {
    const port = 25000 + (process.pid % 20000);
    const whole = train([...recipe, '--output', join(base, 'whole'), '--name', 'run', '--nproc-per-node', '2']);
    t.equal(whole.status, 0, whole.stderr);

    const first = await twoNodes(['--auto-resume', '--max-steps', '3'], port);
    first.forEach(({ code, stderr }, node) => t.equal(code, 0, `first part, node ${node}: ${stderr.slice(-2000)}`));
    t.same(checkpoints(join(outputs[0]!, 'run')), ['checkpoint-e0000-s00000003.pth'], 'node 0 holds the run');
    t.same(readdirSync(outputs[1]!), [], 'node 1 wrote nothing');

    const second = await twoNodes(['--auto-resume'], port + 1);
    second.forEach(({ code, stderr }, node) => t.equal(code, 0, `second part, node ${node}: ${stderr.slice(-2000)}`));
    t.same(readdirSync(outputs[1]!), [], 'node 1 still wrote nothing (and read nothing: it has nothing)');
    const last = checkpoints(join(outputs[0]!, 'run')).at(-1)!;
    t.match(last, /s00000008\.pth$/, 'resumed mid-epoch from step 3 to the end');
    const [resumed, uninterrupted] = await Promise.all([
      loadCheckpoint(join(outputs[0]!, 'run', last)),
      loadCheckpoint(join(base, 'whole', 'run', checkpoints(join(base, 'whole', 'run')).at(-1)!)),
    ]);
    t.same(
      await bytesOf(resumed),
      await bytesOf(uninterrupted),
      'weights, EMA target, BN statistics and momentum identical',
    );
  },
);

t.test('rank 0 refuses the run: rank 1, which read nothing, ends with its reason at once', async (t) => {
  const started = performance.now();
  const ended = await twoNodes(
    ['--resume', join(outputs[0]!, 'run'), '--beta', '0.02'],
    25000 + ((process.pid + 2) % 20000),
  );
  const seconds = (performance.now() - started) / 1000;
  t.not(ended[0]!.code, 0);
  t.not(ended[1]!.code, 0);
  t.match(ended[0]!.stderr, /resume: beta \(the run's 0.01, given 0.02\) cannot change when resuming/);
  t.match(
    ended[1]!.stderr,
    /rank 0 refused the run: resume: beta \(the run's 0.01, given 0.02\) cannot change when resuming/,
  );
  t.ok(seconds < 60, `both ended within ${seconds.toFixed(1)} s (no timeout waited for)`);
  t.same(readdirSync(outputs[1]!), [], 'node 1 wrote nothing');
});
