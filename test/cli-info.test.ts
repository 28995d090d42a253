// `mveb-torch info` from both builds, and clear failures when the addon cannot load.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli, distIndex, root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

const expectedTorch = JSON.parse(
  execFileSync(process.execPath, [join(root, 'scripts', 'find-libtorch.mjs')], { encoding: 'utf8' }),
) as { version: string; cuda: boolean; gloo: boolean };

function infoJson(addon?: string): Record<string, any> {
  const env = { ...process.env };
  if (addon) env.MVEB_ADDON = addon;
  return JSON.parse(execFileSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8', env }));
}

const builds: Array<[string, string]> = [
  ['cmake-js', join(root, 'build-cmake', 'Release', 'mveb_native.node')],
  ['node-gyp', join(root, 'build', 'Release', 'mveb_native.node')],
];

for (const [flavour, addon] of builds) {
  const skip = flavour === 'node-gyp' && process.env.MVEB_SKIP_GYP === '1' ? 'MVEB_SKIP_GYP=1 (GPU check)' : false;
  t.test(`the ${flavour} build loads and reports the LibTorch it was built against`, { skip }, async (t) => {
    const report = infoJson(addon);
    t.equal(report.build.flavour, flavour);
    t.equal(report.build.addon, addon);
    t.same([report.build.origin.kind, report.build.origin.reason], ['env', 'MVEB_ADDON names it']);
    t.equal(report.libtorch.version, expectedTorch.version);
    t.equal(report.package.name, 'mveb-torch');
    t.same(report.distributedBackends, expectedTorch.gloo ? ['gloo'] : [], 'Gloo exactly when its headers are there');
    t.type(report.threads.intraOp, 'number');
    t.ok(report.threads.intraOp >= 1);
    if (!report.cudaCompiled) {
      t.equal(report.cuda, false, 'a CPU build reports no CUDA');
      t.same(report.cudaDevices, []);
    }
    // Every part of the addon is in this build: tensors, ops, optimisers.
    const script = `
      const { Tensor, ops, optim } = await import(${JSON.stringify(distIndex)});
      const z = Tensor.fromArray(new Float32Array([1, 0, 0, 1, 0.6, 0.8]), [3, 2]);
      const { bandwidth } = await ops.steinScore(z);
      const p = Tensor.fromArray(new Float32Array([1, 2]), [2]);
      await new optim.LARS([p], { lr: 1, momentum: 0 }).step([Tensor.fromArray(new Float32Array([1, 1]), [2])]);
      console.log(JSON.stringify({ bandwidth, p: Array.from(await p.toArray()) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, MVEB_ADDON: addon },
    });
    const result = JSON.parse(out) as { bandwidth: number; p: number[] };
    // 1 − S over the 3 rows: three 0s, then 0.2, 0.2, 0.4, 0.4, 1, 1. The authors take the
    // ⌊9/2⌋ = 4th largest (torch.topk): 0.4 (the upper median, 0.2, is a different element).
    t.ok(Math.abs(result.bandwidth - 0.4) < 1e-6, `bandwidth ${result.bandwidth}`);
    t.same(result.p, [0, 1]);
  });
}

t.test('info --json on this machine: the LibTorch found, CUDA as the hardware allows', async (t) => {
  const report = infoJson();
  t.equal(report.build.origin.kind, 'local', 'a checkout loads its own build, never a prebuild');
  t.equal(report.build.addon, join(root, 'build-cmake', 'Release', 'mveb_native.node'));
  t.match(report.libtorch.version, /^\d+\.\d+\.\d+$/);
  t.equal(report.libtorch.version, expectedTorch.version);
  t.equal(report.cudaCompiled, expectedTorch.cuda);
  if (report.cuda) t.ok(report.cudaDevices.length > 0 && report.cudaDevices[0].name, 'a GPU is listed by name');
  else t.same(report.cudaDevices, []);
});

t.test('info without --json is for people: one fact per line', async (t) => {
  const out = execFileSync(process.execPath, [cli, 'info'], { encoding: 'utf8' });
  t.match(out, new RegExp(`^LibTorch +${expectedTorch.version.replace(/\./g, '\\.')}`, 'm'));
  t.match(out, /^CUDA +(available|not available)/m);
  t.match(out, /^threads +\d+ intra-op/m);
});

t.test('MVEB_ADDON naming a missing file: one clear message naming the variable, no stack trace', async (t) => {
  const result = spawnSync(process.execPath, [cli, 'info'], {
    encoding: 'utf8',
    env: { ...process.env, MVEB_ADDON: '/nonexistent/mveb_native.node' },
  });
  t.equal(result.status, 1);
  t.match(result.stderr, /MVEB_ADDON is set to \/nonexistent\/mveb_native\.node, which does not exist\..*unset it/);
  t.notMatch(result.stderr, /\n\s+at /, 'no JS stack');
});

t.test('an addon that cannot be dlopen-ed (broken LibTorch) gives one clear message', async (t) => {
  const broken = join(tempDir(t), 'mveb_native.node');
  writeFileSync(broken, 'not a shared object');
  const result = spawnSync(process.execPath, [cli, 'info'], {
    encoding: 'utf8',
    env: { ...process.env, MVEB_ADDON: broken },
  });
  t.equal(result.status, 1);
  t.match(result.stderr, /could not be loaded \(.*\)\. Its LibTorch is missing or has changed: rebuild it with `npx mveb-torch build`/);
  t.equal(result.stderr.trim().split('\n').length, 1, 'one line');
});

t.test('unknown commands and options are refused with help', async (t) => {
  const result = spawnSync(process.execPath, [cli, 'infoo'], { encoding: 'utf8' });
  t.equal(result.status, 2);
  t.match(result.stderr, /Unknown argument: infoo/);
});

t.test('setNumThreads changes the intra-op thread count that info reports', async (t) => {
  const script = `
    const { info, setNumThreads } = await import(${JSON.stringify(distIndex)});
    await setNumThreads(3);
    console.log(info().threads.intraOp);
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(out.trim(), '3');
});
