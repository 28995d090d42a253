// The release's tarballs (`npm run pack -- --release`: the main package and a platform package per
// flavour built here) installed in an empty project with no compiler on PATH and no install
// script, then used with three LibTorches a user may have: Debian's 1.13, a venv with pip's torch
// 2.13 CPU wheel (MVEB_PYTHON), a venv with pip's torch 2.14 CUDA wheel. Each picks its own
// prebuild (info says which) and trains three demo steps on the CPU. A release check
// (`npm run test:release`): the CUDA venv alone is 4.5 GB.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FLAVOURS, venvOf } from '../../scripts/flavours.mjs';
import { userEnvironment } from '../helpers/no-compilers.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const project = tempDir(t, 'mveb-flavours-project-');
const userEnv = userEnvironment(join(project, '.path'));
const tarballs = join(root, 'out', 'release');
const packed = FLAVOURS.filter((f) => f.from !== 'gpu-machine');

function inProject(args: string[], env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync('npx', ['mveb-torch', ...args], { cwd: project, env, encoding: 'utf8', timeout: 900_000 });
}

t.before(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'pack.mjs'), '--release', '--out', tarballs], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const files = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(tarballs, f));
  const installed = spawnSync(
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', ...files],
    {
      cwd: project,
      env: userEnv,
      encoding: 'utf8',
      timeout: 900_000,
    },
  );
  if (installed.status !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
});

t.test('the release packs the main package and a platform package per flavour built here', async (t) => {
  const names = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .sort();
  t.same(names, ['mveb-torch-0.1.0.tgz', ...packed.map((f) => `mveb-torch-linux-x64-${f.name}-0.1.0.tgz`)].sort());
  const main = JSON.parse(readFileSync(join(project, 'node_modules', 'mveb-torch', 'package.json'), 'utf8'));
  t.same(
    Object.keys(main.optionalDependencies).sort(),
    FLAVOURS.map((f) => `@mveb-torch/linux-x64-${f.name}`).sort(),
    "every flavour, the GPU machine's too",
  );
  for (const flavour of packed) {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules', '@mveb-torch', `linux-x64-${flavour.name}`, 'manifest.json'), 'utf8'),
    );
    t.equal(manifest.name, `@mveb-torch/linux-x64-${flavour.name}`);
    // No path of this machine in it: LibTorch is found through the loader's preload, as on a user's machine.
    const dynamic = execFileSync(
      'readelf',
      ['-d', join(project, 'node_modules', '@mveb-torch', `linux-x64-${flavour.name}`, 'mveb_native.node')],
      { encoding: 'utf8' },
    );
    t.notMatch(dynamic, /\((RUNPATH|RPATH)\)/, `${flavour.name}: no RUNPATH`);
    t.comment(
      `${manifest.name}: LibTorch ${manifest.libtorch.version}, CUDA ${manifest.libtorch.cuda}, glibc ≥ ${manifest.glibc}`,
    );
  }
  t.notOk(existsSync(join(project, 'node_modules', 'mveb-torch', 'build-cmake')), 'nothing was compiled');
});

const cases = packed.map((flavour) => {
  const env: NodeJS.ProcessEnv = { ...userEnv };
  if (flavour.from === 'venv') env.MVEB_PYTHON = join(root, venvOf(flavour), 'bin', 'python');
  return { flavour, env, how: flavour.from === 'venv' ? `MVEB_PYTHON at ${venvOf(flavour)}` : "Debian's LibTorch" };
});

for (const { flavour, env, how } of cases) {
  t.test(
    `${how}: info picks @mveb-torch/linux-x64-${flavour.name}, and three demo steps train on the CPU`,
    async (t) => {
      t.not(
        spawnSync('sh', ['-c', 'command -v g++ || command -v cc || command -v cmake || command -v nvcc'], { env })
          .status,
        0,
        'no compiler on PATH',
      );
      const info = inProject(['info', '--json'], env);
      t.equal(info.status, 0, info.stderr);
      const report = JSON.parse(info.stdout);
      t.equal(report.build.origin.kind, 'prebuilt');
      t.equal(report.build.origin.package, `@mveb-torch/linux-x64-${flavour.name}@0.1.0`);
      const [major, minor] = flavour.name.replace(/^torch/, '').split(/[.-]/);
      t.match(report.libtorch.version, new RegExp(`^${major}\\.${minor}\\.`));
      t.equal(report.cudaCompiled, flavour.name.includes('-cu'));
      t.comment(`${how}: ${report.build.origin.reason}`);
      const started = Date.now();
      const trained = inProject(
        [
          'train',
          '--preset',
          'demo',
          '--max-steps',
          '3',
          '--knn-every',
          '0',
          '--device',
          'cpu',
          '--name',
          flavour.name,
        ],
        env,
      );
      t.equal(trained.status, 0, trained.stderr);
      t.match(trained.stdout, /reached max-steps at step 3/);
      t.ok(
        readdirSync(join(project, 'runs', flavour.name)).some((f) => /^checkpoint-.*s00000003\.pth$/.test(f)),
        'a checkpoint at step 3',
      );
      t.comment(
        `${flavour.name}: 3 demo steps in ${((Date.now() - started) / 1000).toFixed(1)} s (process start included)`,
      );
      if (report.cudaCompiled && !report.cuda) {
        const onGpu = inProject(
          ['train', '--preset', 'demo', '--max-steps', '1', '--device', 'cuda', '--name', `${flavour.name}-gpu`],
          env,
        );
        t.equal(onGpu.status, 1);
        t.equal(
          onGpu.stderr.trim(),
          "config: device 'cuda' cannot be used: no CUDA device is visible; use --device cpu or auto",
        );
      }
    },
  );
}
