// `mveb-torch info` from both builds, and clear failures when the addon cannot load.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { checkBuild, expectedTorch, infoJson } from './helpers/build-check.js';
import { cli, distIndex, root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

// The node-gyp flavour is built and checked before releases (test/e2e/gyp-build.e2e.ts): its
// serial 2.5-minute compile does not fit CI's budget.
checkBuild('cmake-js', join(root, 'build-cmake', 'Release', 'mveb_native.node'));

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
  t.match(
    result.stderr,
    /could not be loaded \(.*\)\. Its LibTorch is missing or has changed: rebuild it with `npx mveb-torch build`/,
  );
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
