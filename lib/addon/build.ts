// `mveb-torch build`: compiles the addon from the package's own sources against the LibTorch
// found, with cmake-js as a checkout builds, for LibTorch versions no prebuild covers. Runs
// only when asked: the loader never compiles.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findLibTorch, LibTorchNotFound, type LibTorchLocation } from './find-libtorch.mjs';
import { InputError, NativeAddonError } from '../errors.js';
import { localBuilds, packageRoot } from './load.js';
import { describeLibTorch } from './select.js';

export interface BuildOptions {
  /** Parallel compile jobs. */
  jobs: number;
  /** Progress lines for a person (the compiler's own output goes to the terminal). */
  log?: (line: string) => void;
}

export interface BuildResult {
  path: string;
  libtorch: LibTorchLocation;
  seconds: number;
}

function checkTools(): void {
  const missing = ['cmake', 'c++'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing.length) {
    throw new InputError(
      `mveb-torch build: ${missing.join(' and ')} not found on PATH; it needs cmake ≥ 3.18 and a C++17 compiler ` +
        '(Debian/Ubuntu: apt-get install cmake g++ make).',
    );
  }
}

function checkWritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(
      `mveb-torch build: cannot write the addon into ${dir} (permission denied); run it as the user who installed mveb-torch.`,
    );
  }
}

/** The LibTorch an existing build directory was configured for (CMake keeps its libraries). */
function configuredFor(out: string): string | null {
  const cache = join(out, 'CMakeCache.txt');
  if (!existsSync(cache)) return null;
  return readFileSync(cache, 'utf8').match(/^MVEB_CONFIGURED_TORCH_DIR:INTERNAL=(.*)$/m)?.[1] ?? null;
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: packageRoot, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

export async function buildAddon({ jobs, log = () => {} }: BuildOptions): Promise<BuildResult> {
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new InputError(`mveb-torch build: --jobs must be a whole number ≥ 1, got ${jobs}`);
  let libtorch: LibTorchLocation;
  try {
    libtorch = findLibTorch();
  } catch (err) {
    if (err instanceof LibTorchNotFound) throw new InputError(`mveb-torch build: ${err.message}`);
    throw err;
  }
  checkTools();
  checkWritable(packageRoot);
  const out = join(packageRoot, 'build-cmake');
  const path = localBuilds()[0]!;
  log(`mveb-torch build: compiling against ${describeLibTorch(libtorch)} (C++${libtorch.cxxStandard}, ${jobs} jobs)`);
  log(`mveb-torch build: the addon goes to ${path}; it is loaded in preference to any prebuild`);
  const previous = configuredFor(out);
  if (previous && previous !== libtorch.cmakeDir) {
    log(`mveb-torch build: ${out} was built for the LibTorch in ${previous}; starting afresh`);
    rmSync(out, { recursive: true, force: true });
  }
  const cmakeJs = join(
    dirname(createRequire(join(packageRoot, 'package.json')).resolve('cmake-js/package.json')),
    'bin',
    'cmake-js',
  );
  const started = process.hrtime.bigint();
  const status = await run(process.execPath, [
    cmakeJs,
    'compile',
    '--directory',
    packageRoot,
    '--out',
    out,
    '--parallel',
    String(jobs),
  ]);
  if (status !== 0)
    throw new NativeAddonError(
      `mveb-torch build: the compile failed (exit ${status}); the compiler's output is above.`,
    );
  return { path, libtorch, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
