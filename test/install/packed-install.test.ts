// A user's install, from the tarballs `npm run pack` writes: no compiler on PATH and no install
// script run, then the CLI (as a dependency, global, npx) and a strict TypeScript consumer work;
// a LibTorch no prebuild fits gets one line, and the package configures for `mveb-torch build`
// (the full source build is the release check test/e2e/source-build.e2e.ts).
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fakeLibTorch } from '../helpers/libtorch.js';
import { userEnvironment } from '../helpers/no-compilers.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutNpmRegistry } from '../helpers/requirements.js';

// Installing the tarballs fetches their dependencies: a machine without the registry (the GPU
// check's) skips the file with the reason instead of hanging in npm's retries.
const offline = withoutNpmRegistry();

const project = tempDir(t, 'mveb-user-project-');
const noCompilerEnv = userEnvironment(join(project, '.path'));

function inProject(command: string, args: string[], env: NodeJS.ProcessEnv = noCompilerEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: project, env, encoding: 'utf8', timeout: 600_000 });
}

function infoJson(env: NodeJS.ProcessEnv = noCompilerEnv): Record<string, any> {
  const result = inProject('npx', ['mveb-torch', 'info', '--json'], env);
  if (result.status !== 0) throw new Error(`info failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const tarballs = join(root, 'out', 'npm');
let installSeconds = 0;

t.before(() => {
  if (offline) return;
  // pretest built the addon and dist/; other tests use them meanwhile, so nothing is rebuilt here.
  execFileSync('npm', ['run', '--silent', 'pack', '--', '--no-build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const started = Date.now();
  const files = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(tarballs, f));
  const installed = inProject('npm', [
    'install',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...files,
  ]);
  if (installed.status !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
  installSeconds = (Date.now() - started) / 1000;
});

t.test('the tarballs hold what a user needs and nothing else', { skip: offline }, async (t) => {
  const names = readdirSync(tarballs).sort();
  t.same(names, ['mveb-torch-0.1.0.tgz', 'mveb-torch-linux-x64-torch1.13-cpu-0.1.0.tgz'].sort());
  const list = (file: string) =>
    execFileSync('tar', ['tzf', join(tarballs, file)], { encoding: 'utf8' })
      .trim()
      .split('\n');
  t.same(list('mveb-torch-linux-x64-torch1.13-cpu-0.1.0.tgz').sort(), [
    'package/README.md',
    'package/manifest.json',
    'package/mveb_native.node',
    'package/mveb_preload.node',
    'package/package.json',
  ]);
  const main = list('mveb-torch-0.1.0.tgz');
  t.ok(
    main.includes('package/dist/index.d.ts') && main.includes('package/CMakeLists.txt'),
    'types and the sources for `build`',
  );
  t.same(
    main.filter((f) =>
      /\.node$|^package\/(test|bench|build|build-cmake|out|\.ci)\/|^package\/lib\/(?!addon\/find-libtorch\.mjs$)/.test(
        f,
      ),
    ),
    [],
    'no binaries, tests or TS sources',
  );
  t.ok(main.includes('package/lib/addon/find-libtorch.mjs'), 'the LibTorch finder CMake runs');
  const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'mveb-torch', 'package.json'), 'utf8'));
  t.equal(pkg.scripts, undefined, 'no install script (no scripts at all)');
  t.ok(pkg.optionalDependencies['@mveb-torch/linux-x64-torch1.13-cpu'], 'the prebuild is an optional dependency');
  t.notOk(existsSync(join(project, 'node_modules', 'mveb-torch', 'build-cmake')), 'nothing was compiled');
});

t.test('no compiler on PATH: info loads the prebuilt addon', { skip: offline }, async (t) => {
  t.not(
    inProject('sh', ['-c', 'command -v g++ || command -v cc || command -v cmake']).status,
    0,
    'no compiler on PATH',
  );
  const report = infoJson();
  t.equal(report.build.origin.kind, 'prebuilt');
  t.equal(report.build.origin.package, '@mveb-torch/linux-x64-torch1.13-cpu@0.1.0');
  t.match(report.build.addon, /node_modules\/@mveb-torch\/linux-x64-torch1\.13-cpu\/mveb_native\.node$/);
  t.match(report.libtorch.version, /^1\.13\./);
  t.comment(`npm install of the tarballs: ${installSeconds.toFixed(1)} s`);
});

t.test('no compiler on PATH: three demo training steps and a checkpoint', { skip: offline }, async (t) => {
  const started = Date.now();
  const result = inProject('npx', [
    'mveb-torch',
    'train',
    '--preset',
    'demo',
    '--max-steps',
    '3',
    '--knn-every',
    '0',
    '--time-budget',
    'none',
    '--name',
    'first',
  ]);
  t.equal(result.status, 0, result.stderr);
  t.match(result.stdout, /reached max-steps at step 3/);
  t.ok(readdirSync(join(project, 'runs', 'first')).some((f) => /^checkpoint-.*s00000003\.pth$/.test(f)));
  t.comment(`install + 3 demo steps: ${(installSeconds + (Date.now() - started) / 1000).toFixed(1)} s`);
});

t.test('the bin works installed globally and as an npx one-off, without compilers', { skip: offline }, async (t) => {
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  const prefix = tempDir(t, 'mveb-global-');
  const global = inProject('npm', [
    'install',
    '--global',
    '--prefix',
    prefix,
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...files,
  ]);
  t.equal(global.status, 0, global.stderr);
  const fromGlobal = inProject(join(prefix, 'bin', 'mveb-torch'), ['info', '--json']);
  t.equal(fromGlobal.status, 0, fromGlobal.stderr);
  t.equal(JSON.parse(fromGlobal.stdout).build.origin.kind, 'prebuilt');
  const elsewhere = tempDir(t, 'mveb-npx-');
  const oneOff = spawnSync(
    'npx',
    ['--yes', ...files.flatMap((f) => ['--package', f]), 'mveb-torch', 'info', '--json'],
    {
      cwd: elsewhere,
      env: noCompilerEnv,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  t.equal(oneOff.status, 0, oneOff.stderr);
  t.equal(JSON.parse(oneOff.stdout).build.origin.package, '@mveb-torch/linux-x64-torch1.13-cpu@0.1.0');
});

t.test(
  "a strict TypeScript consumer of the root and subpaths compiles with the project's tsc and runs",
  { skip: offline },
  async (t) => {
    const tsVersion = JSON.parse(
      readFileSync(join(root, 'node_modules', 'typescript', 'package.json'), 'utf8'),
    ).version;
    const typesNode = JSON.parse(
      readFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8'),
    ).version;
    const added = inProject('npm', [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      `typescript@${tsVersion}`,
      `@types/node@${typesNode}`,
    ]);
    t.equal(added.status, 0, added.stderr);
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { Trainer, info, type TrainConfig, type TrainEvent } from 'mveb-torch';",
        "import { Tensor, steinScore, type SteinOptions } from 'mveb-torch/ops';",
        "import { ARCHITECTURES } from 'mveb-torch/models';",
        'const config: Partial<TrainConfig> = { maxSteps: 1, arch: ARCHITECTURES[0] };',
        "const options: SteinOptions = { solver: 'cholesky' };",
        "export const lossOf = (event: TrainEvent) => (event.type === 'step' ? event.loss : undefined);",
        'const z = Tensor.fromArray(new Float32Array([1, 0, 0, 1, 0.6, 0.8]), [3, 2]);',
        'const { bandwidth } = await steinScore(z, options);',
        'console.log(JSON.stringify({ bandwidth, trainer: typeof Trainer, config, origin: info().build.origin.kind }));',
        // The published types offer no constructor (it wraps a native tensor): a user cannot call it.
        '// @ts-expect-error the constructor of Tensor is private',
        'export const notATensor = () => new Tensor();',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'js',
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = inProject(join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
    t.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    const run = inProject(process.execPath, [join(project, 'js', 'consumer.js')]);
    t.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    t.ok(Math.abs(out.bandwidth - 0.4) < 1e-6);
    t.same([out.trainer, out.origin], ['function', 'prebuilt']);
  },
);

t.test(
  'a LibTorch no prebuild fits: one line naming it, the prebuilds and the ways out; exit 1',
  { skip: offline },
  async (t) => {
    const fake = fakeLibTorch(tempDir(t), { major: 2, minor: 13, abi: 1, headerOnly: true });
    const result = inProject('npx', ['mveb-torch', 'info'], { ...noCompilerEnv, LIBTORCH: fake });
    t.equal(result.status, 1);
    t.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.match(result.stderr, /no native addon fits the LibTorch 2\.13\.1 \(CPU, C\+\+11 ABI\) from LIBTORCH/);
    t.match(
      result.stderr,
      /installed prebuilds: @mveb-torch\/linux-x64-torch1\.13-cpu@0\.1\.0 \(LibTorch 1\.13, CPU\)/,
    );
    t.match(result.stderr, /npx mveb-torch build$/m);
  },
);

t.test(
  'no prebuild for this platform: the message; the installed package configures for `mveb-torch build`',
  { skip: offline },
  async (t) => {
    renameSync(join(project, 'node_modules', '@mveb-torch'), join(project, 'prebuilds-removed'));
    t.teardown(() => renameSync(join(project, 'prebuilds-removed'), join(project, 'node_modules', '@mveb-torch')));
    const refused = inProject('npx', ['mveb-torch', 'info']);
    t.equal(refused.status, 1);
    t.match(refused.stderr, /installed prebuilds: none .* npx mveb-torch build/);
    // The package holds what a source build needs (CMakeLists, sources, the LibTorch finder, the
    // Node-API headers); configuring proves it in seconds. The compile itself, and the addon it
    // gives running, is the release check test/e2e/source-build.e2e.ts (about 2 minutes).
    const packageDir = join(project, 'node_modules', 'mveb-torch');
    const cmakeJs = join(project, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
    const configured = inProject(
      process.execPath,
      [cmakeJs, 'configure', '--directory', packageDir, '--out', join(project, 'configure-check')],
      { ...noCompilerEnv, PATH: process.env.PATH },
    );
    t.equal(configured.status, 0, configured.stdout.slice(-2000) + configured.stderr.slice(-2000));
    t.match(configured.stdout, /mveb-torch: LibTorch from system/);
  },
);
