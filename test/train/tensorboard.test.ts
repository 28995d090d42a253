// TensorBoard event files, read by TensorBoard's own reader (EventAccumulator, .venvs/oracles):
// every scalar of metrics.jsonl is there under its tag, at its step, with its value (as float32);
// a record cut short by a kill still leaves the rest readable; a resumed run shows each step once.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { oraclePythonPath } from '../../scripts/oracle-venv.mjs';
import { modelFlags, train } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

/** Every scalar TensorBoard reads from a run directory: tag → [step, value] pairs in order. */
function readWithTensorBoard(dir: string): Record<string, Array<[number, number]>> {
  const script = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0})
acc.Reload()
print(json.dumps({tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()['scalars']}))
`;
  return JSON.parse(
    execFileSync(oraclePythonPath, ['-c', script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** What metrics.jsonl says, as the tags the README documents: `<kind>/<field path>`, a step's kind being train. */
function expectedScalars(dir: string): Map<string, Map<number, number>> {
  const expected = new Map<string, Map<number, number>>();
  let lastStep = 0;
  for (const line of readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')) {
    const record = JSON.parse(line) as Record<string, unknown>;
    // A step taken again is a resumed session: what the dead one logged from there on is gone.
    if (record['type'] === 'step' && (record['step'] as number) <= lastStep) {
      for (const byStep of expected.values())
        for (const step of byStep.keys()) if (step >= (record['step'] as number)) byStep.delete(step);
    }
    if (typeof record['step'] === 'number') lastStep = record['step'];
    const kind = record['type'] === 'step' ? 'train' : String(record['type']);
    const add = (value: unknown, tag: string) => {
      if (typeof value === 'number') {
        if (!expected.has(tag)) expected.set(tag, new Map());
        expected.get(tag)!.set(lastStep, Math.fround(value)); // a later line for the same step wins
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) add(v, `${tag}/${k}`);
      }
    };
    for (const [name, value] of Object.entries(record)) {
      if (!['schemaVersion', 'time', 'type', 'epoch', 'step', 'batch', 'path'].includes(name))
        add(value, `${kind}/${name}`);
    }
  }
  return expected;
}

function compare(t: Test, dir: string): void {
  const read = readWithTensorBoard(dir);
  const expected = expectedScalars(dir);
  t.same(Object.keys(read).sort(), [...expected.keys()].sort(), 'the same tags as metrics.jsonl has scalars');
  for (const [tag, byStep] of expected) {
    const pairs = read[tag] ?? [];
    t.same(
      pairs.map(([step]) => step),
      [...byStep.keys()],
      `${tag}: each step once, in order`,
    );
    t.same(
      pairs.map(([, value]) => value),
      [...byStep.values()],
      `${tag}: the values`,
    );
  }
}

const output = tempDir(t, 'mveb-tb-');
const recipe = (name: string, ...extra: string[]) => [
  ...modelFlags,
  '--data',
  'synthetic:64',
  '--val',
  'synthetic:32',
  '--batch-size',
  '16',
  '--epochs',
  '2',
  '--knn-every',
  '2',
  '--knn-k',
  '5',
  '--log-every',
  '1',
  '--threads',
  '1',
  '--output',
  output,
  '--name',
  name,
  '--quiet',
  ...extra,
];

t.test('every scalar of metrics.jsonl, under its tag, at its step, with its value', async (t) => {
  const run = train(recipe('whole'));
  t.equal(run.status, 0, run.stderr);
  const dir = join(output, 'whole');
  t.equal(readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).length, 1, 'one event file');
  compare(t, dir);
  const tags = Object.keys(readWithTensorBoard(dir));
  for (const tag of [
    'train/loss',
    'train/lr',
    'train/emaMomentum',
    'train/imagesPerSecond',
    'epoch/meanLoss',
    'epoch/health/stdMean',
    'knn/accuracy',
  ])
    t.ok(tags.includes(tag), tag);

  // A kill in the middle of a write: the last record cut short; the others still read.
  const file = join(
    dir,
    readdirSync(dir).find((f) => f.startsWith('events.out.tfevents.'))!,
  );
  truncateSync(file, statSync(file).size - 7);
  const cut = readWithTensorBoard(dir);
  t.ok(Object.keys(cut).length > 0 && (cut['train/loss']?.length ?? 0) >= 7, 'all but the cut record read');
});

t.test(
  'a resumed run: each step once (a SessionLog START drops what the dead session logged past its checkpoint)',
  async (t) => {
    // Steps 1..5 logged, checkpoints at 2 and 4 (and 5, the stop); then the newest are lost as if
    // the run had died after step 5 with its last checkpoint at step 2.
    const first = train(recipe('resumed', '--checkpoint-every-steps', '2', '--max-steps', '5'));
    t.equal(first.status, 0, first.stderr);
    const dir = join(output, 'resumed');
    for (const f of readdirSync(dir).filter((f) => /s0000000[45]\.pth$/.test(f))) rmSync(join(dir, f));
    const again = train(['--resume', dir, '--quiet']);
    t.equal(again.status, 0, again.stderr);
    t.equal(
      readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).length,
      2,
      'one event file per session',
    );
    const read = readWithTensorBoard(dir);
    t.same(
      read['train/loss']!.map(([step]) => step),
      [1, 2, 3, 4, 5, 6, 7, 8],
      'steps 3, 4 and 5 once, not twice',
    );
    compare(t, dir);
  },
);
