// examples/pretrain.ts drives the Trainer through its events and ends with a checkpoint.
import { existsSync } from 'node:fs';
import t from 'tap';
import { pretrain } from '../../examples/pretrain.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

t.test(
  'the example trains a few steps of the demo recipe and ends cleanly',
  { skip: withoutFashionMnist('train', 't10k') },
  async (t) => {
    const output = tempDir(t);
    const logged: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logged.push(args.join(' '));
    let end;
    try {
      // The kNN monitor (its baselines embed 12 000 images) is the demo test's business.
      end = await pretrain({ maxSteps: 20, output, knnMonitor: false });
    } finally {
      console.log = log;
    }
    t.match(end, { type: 'end', reason: 'max-steps', position: { step: 20 } });
    // The demo has a time budget: the steps are what fits this machine.
    t.match(logged[0], /^training resnet18 on fashion-mnist \(\d+ steps\) in /);
    t.ok(logged.some((l) => /^step 20: loss -?\d/.test(l)));
    const checkpoint = logged.find((l) => l.startsWith('checkpoint '))!.slice('checkpoint '.length);
    t.ok(existsSync(checkpoint));
  },
);
