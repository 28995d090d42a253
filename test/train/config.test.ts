// The training configuration: the paper's defaults, presets, flags over files, and bad
// fields refused with their name before any work.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli, root } from '../helpers/paths.js';
import { CONFIG_FIELDS, defaultConfig, presets, resolveConfig, validateConfig } from '../../lib/train/config.js';
import type { Field } from '../../lib/train/config-fields.js';
import { Trainer } from '../../lib/train/trainer.js';

t.test("the defaults are the paper's ImageNet recipe", async (t) => {
  t.match(defaultConfig, {
    arch: 'resnet50',
    epochs: 800,
    batchSize: 4096,
    optimizer: 'lars',
    baseLr: 0.4,
    weightDecay: 1e-6,
    momentum: 0.9,
    trustCoefficient: 0.001,
    warmupEpochs: 10,
    beta: 0.01,
    emaBase: 0.996,
    projectorHidden: 2048,
    projectorOut: 2048,
    globalSize: 224,
    localSize: 96,
    localCrops: 6,
    globalScale: [0.4, 1],
    localScale: [0.05, 0.4],
    knnK: 200,
    knnTemperature: 0.1,
  });
  t.same(resolveConfig({ preset: 'imagenet-r50', flags: { data: 'x' } }), { ...defaultConfig, data: 'x' });
});

t.test('presets, then the file, then flags', async (t) => {
  const c = resolveConfig({ preset: 'small', file: { data: 'a', epochs: 7, beta: 0.02 }, flags: { epochs: 9 } });
  t.equal(c.arch, presets.small.arch);
  t.equal(c.data, 'a');
  t.equal(c.beta, 0.02);
  t.equal(c.epochs, 9, 'flags win');
  t.equal(resolveConfig({ preset: 'demo' }).data, 'fashion-mnist');
  // The 30-minute preset is the demo recipe with two local crops, run longer (and a valid config).
  const { epochs, localCrops, timeBudget, ...longer } = resolveConfig({ preset: 'fmnist-30min' });
  const {
    epochs: demoEpochs,
    localCrops: demoLocal,
    timeBudget: demoBudget,
    ...demo
  } = resolveConfig({ preset: 'demo' });
  t.same(longer, demo);
  t.same([epochs, localCrops, timeBudget, demoEpochs, demoLocal, demoBudget], [4, 2, '30m', 2, 0, '10m']);
  t.doesNotThrow(() => validateConfig(resolveConfig({ preset: 'fmnist-30min' })));
});

t.test('bad fields are refused with their name, before any work', async (t) => {
  t.throws(
    () => new Trainer({ data: 'synthetic', arch: 'resnet7' as never }),
    /config: arch must be one of 'resnet18'.*got "resnet7"/,
  );
  t.throws(() => new Trainer({ data: 'synthetic', baseLr: -0.1 }), /config: baseLr must be a number > 0, got -0\.1/);
  t.throws(() => new Trainer({ data: '' }), /config: data must name a dataset/);
  t.throws(() => new Trainer({ data: 'x', globalScale: [0.5, 0.2] }), /config: globalScale must be \[min, max\]/);
  t.throws(() => new Trainer({ data: 'x', device: 'gpu' }), /config: device must be 'auto', 'cpu', 'cuda' or 'cuda:N'/);
  t.throws(() => new Trainer({ data: 'x', batchsize: 3 } as never), /config: unknown field 'batchsize'/);
  t.throws(() => new Trainer({ data: 'x' }, { preset: 'huge' }), /preset must be one of imagenet-r50, small, demo/);
  // A missing data path is refused by run() before anything is built or read.
  const run = new Trainer({ data: '/nonexistent/images' }).run();
  await t.rejects(run.next(), /data path does not exist: \/nonexistent\/images/);
});

t.test(
  'every field of the table has a default its check accepts, a check that refuses a wrong kind, and help',
  async (t) => {
    const { CONFIG_FIELDS } = await import('../../lib/train/config.js');
    for (const [name, field] of Object.entries(CONFIG_FIELDS)) {
      const withData = name === 'data' ? 'synthetic' : field.default;
      t.equal(field.check(withData), null, `${name}: its default passes`);
      for (const wrong of [{}, Symbol('x'), undefined])
        t.type(field.check(wrong), 'string', `${name}: ${String(wrong)} is refused`);
      t.ok(field.help.length > 10, `${name}: help text`);
      t.same(defaultConfig[name as keyof typeof defaultConfig], field.default, `${name}: the default config holds it`);
    }
  },
);

t.test("the fields a resumed run may change are the table's, and the README lists exactly those", async (t) => {
  const { CONFIG_FIELDS, changeableOnResume } = await import('../../lib/train/config.js');
  t.same(
    [...changeableOnResume].sort(),
    Object.keys(CONFIG_FIELDS)
      .filter((n) => CONFIG_FIELDS[n as keyof typeof CONFIG_FIELDS].changeableOnResume)
      .sort(),
  );
  const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  const sentence = readme.slice(
    readme.indexOf("A resumed run is the checkpoint's run: only"),
    readme.indexOf('may be given with it'),
  );
  const listed = [...sentence.matchAll(/`--([a-z-]+)`/g)].map((m) =>
    m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
  );
  t.same(listed.sort(), [...changeableOnResume].sort());
});

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

t.test(
  'train --help types each field flag as the table does: numbers [number], switches [boolean], the rest [string]; a typo is echoed as typed',
  async (t) => {
    const help = execFileSync(process.execPath, [cli, 'train', '--help'], { encoding: 'utf8' });
    // Each option's block: from its `--name` line to the label that ends it.
    const labels = new Map([...help.matchAll(/^ {2}--([\w-]+)[\s\S]*?\[(\w+)\]$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const [name, field] of Object.entries(CONFIG_FIELDS) as Array<[string, Field<unknown>]>) {
      const expected = field.flag === 'boolean' ? 'boolean' : field.flag === 'number' ? 'number' : 'string';
      t.equal(labels.get(kebab(name)), expected, `--${kebab(name)} [${expected}]`);
    }
    const typo = spawnSync(process.execPath, [cli, 'train', '--data', 'synthetic', '--epochs', '12x'], {
      encoding: 'utf8',
    });
    t.equal(typo.status, 1);
    t.equal(typo.stderr, 'config: epochs must be an integer >= 1, got "12x"\n');
  },
);
