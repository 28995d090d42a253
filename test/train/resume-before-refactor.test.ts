// A run directory written by mveb-torch as it was before the house was rebuilt (commit c173e96:
// the config declared four times, workers started through the CLI, unversioned metrics) resumes
// under this code exactly: the final weights equal, bit for bit, those of the old code's own
// uninterrupted run. The old TypeScript is taken from git and compiled here; both use this
// checkout's addon (the native code did not change), so what is compared is the TypeScript.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { info } from '../../lib/index.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { cli, root } from '../helpers/paths.js';
import { bytesOf, modelFlags } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

const BEFORE = 'c173e96';

t.test(
  `a run directory written before the refactor (${BEFORE}) resumes to the old code's uninterrupted weights`,
  async (t) => {
    const old = tempDir(t, 'mveb-old-');
    const archive = spawnSync(
      'git',
      ['-C', root, 'archive', BEFORE, 'lib', 'bin', 'scripts', 'tsconfig.json', 'package.json'],
      { maxBuffer: 64 << 20 },
    );
    t.equal(archive.status, 0, `git archive ${BEFORE} (a clone with history): ${archive.stderr}`);
    execFileSync('tar', ['-x', '-C', old], { input: archive.stdout });
    symlinkSync(join(root, 'node_modules'), join(old, 'node_modules'));
    // Emitted without type checking (it type-checked when it was committed): seconds, not tens.
    execFileSync(process.execPath, [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(old, 'tsconfig.json'),
      '--noCheck',
    ]);

    // Both versions on this checkout's addon; the data: 64 synthetic images, 4 steps an epoch.
    const env = { ...process.env, MVEB_ADDON: info().build.addon };
    const output = tempDir(t);
    const recipe = (name: string) => [
      'train',
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
      '--output',
      output,
      '--name',
      name,
      '--quiet',
    ];
    const oldCli = (args: string[]) =>
      spawnSync(process.execPath, [join(old, 'bin', 'mveb-torch.js'), ...args], { env, encoding: 'utf8' });
    const whole = oldCli(recipe('whole'));
    t.equal(whole.status, 0, whole.stderr);
    const stopped = oldCli([...recipe('resumed'), '--max-steps', '3']);
    t.equal(stopped.status, 0, stopped.stderr);
    const metrics = join(output, 'resumed', 'metrics.jsonl');
    t.notMatch(readFileSync(metrics, 'utf8'), /schemaVersion/, 'the old code wrote unversioned lines');

    const resumed = spawnSync(process.execPath, [cli, 'train', '--resume', join(output, 'resumed'), '--quiet'], {
      env,
      encoding: 'utf8',
    });
    t.equal(resumed.status, 0, resumed.stderr);
    const last = (name: string) =>
      join(
        output,
        name,
        readdirSync(join(output, name))
          .filter((f) => f.endsWith('.pth'))
          .sort()
          .at(-1)!,
      );
    t.match(last('resumed'), /s00000008\.pth$/);
    const [ours, theirs] = await Promise.all([loadCheckpoint(last('resumed')), loadCheckpoint(last('whole'))]);
    t.same([ours.epoch, ours.step], [theirs.epoch, theirs.step]);
    t.same(
      await bytesOf(ours),
      await bytesOf(theirs),
      'weights, EMA target, BN statistics and momentum identical bit for bit',
    );

    // The report reads the directory's old and new lines alike.
    const lines = readFileSync(metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    t.same(
      lines.filter((l) => l['type'] === 'step').map((l) => l['step']),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    t.ok(
      lines.some((l) => l['schemaVersion'] === undefined) && lines.some((l) => l['schemaVersion'] === 1),
      'old lines, then versioned ones',
    );
    const report = spawnSync(process.execPath, [cli, 'report', join(output, 'resumed')], { encoding: 'utf8' });
    t.equal(report.status, 0, report.stderr);
  },
);
