#!/usr/bin/env node
// Builds the addon for one flavour of scripts/flavours.mjs (incremental):
//   node scripts/build-flavour.mjs torch2.13-cpu   → build-torch2.13-cpu/Release/mveb_native.node
// A 'venv' flavour first gets its LibTorch: a virtual environment in .venvs/NAME with the pinned
// torch from pip (made once, kept while its torch is the one pinned). The build finds that
// LibTorch through MVEB_PYTHON, as a user's `mveb-torch build` finds theirs. The addon must then
// report the flavour it was meant to be (LibTorch minor version, CPU or CUDA), or this fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDirOf, flavourNamed, venvOf } from './flavours.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`mveb-torch build-flavour: ${line}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0)
    throw new Error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
}

/**
 * pip's arguments for the package indexes. Where pip is configured with local (file://) indexes
 * only besides PyPI — a machine with a wheel mirror and no internet — those become the index, so
 * that pip does not spend minutes retrying an unreachable PyPI. MVEB_PIP_ARGS overrides.
 */
export function pipIndexArgs(python) {
  if (process.env.MVEB_PIP_ARGS !== undefined) return process.env.MVEB_PIP_ARGS.split(/\s+/).filter(Boolean);
  let config = '';
  try {
    config = execFileSync(python, ['-m', 'pip', 'config', 'list'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  const values = (key) =>
    [...config.matchAll(new RegExp(`^[^=\\n]*\\.${key}='([^'\\n]*)'`, 'gm'))]
      .flatMap((m) => m[1].split(/\s+/))
      .filter(Boolean);
  const indexes = [...new Set(values('extra-index-url'))].filter((url) => url.startsWith('file:'));
  if (indexes.length === 0) return [];
  const findLinks = [...new Set(values('find-links'))];
  return [
    '--index-url',
    indexes[0],
    ...indexes.slice(1).flatMap((url) => ['--extra-index-url', url]),
    ...findLinks.flatMap((link) => ['--find-links', link]),
  ];
}

function venvTorchVersion(python) {
  if (!existsSync(python)) return null;
  try {
    const code = 'import importlib.metadata as m; print(m.version("torch"))';
    return execFileSync(python, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The venv's python, made (or remade) when it does not hold the pinned torch. */
export function ensureVenv(flavour) {
  const venv = join(root, venvOf(flavour));
  const python = join(venv, 'bin', 'python');
  const found = venvTorchVersion(python);
  if (found === flavour.torchVersion) return python;
  say(`${venvOf(flavour)}: ${found ? `holds torch ${found}, remade` : 'made'} for torch ${flavour.torchVersion}`);
  rmSync(venv, { recursive: true, force: true });
  const base = process.env.MVEB_VENV_PYTHON ?? 'python3';
  run(base, ['-m', 'venv', venv]);
  const pip = [python, '-m', 'pip', 'install', '-qq', '--disable-pip-version-check', ...pipIndexArgs(base)];
  // The requirements first: a package installed --no-deps afterwards is not checked against them.
  if (flavour.requirements) run(pip[0], [...pip.slice(1), ...flavour.requirements]);
  if (flavour.noDeps) run(pip[0], [...pip.slice(1), '--no-deps', ...flavour.noDeps]);
  const installed = venvTorchVersion(python);
  if (installed !== flavour.torchVersion)
    throw new Error(`${venvOf(flavour)} holds torch ${installed}, not ${flavour.torchVersion}`);
  return python;
}

/**
 * What a built addon says it was compiled against (authoritative, unlike a guess from paths):
 * the manifest's `libtorch` ({ version, cxx11Abi, cuda: '13.0' | null }).
 */
export function builtAgainst(addon) {
  const script = `const b = require(${JSON.stringify(addon)}).buildInfo(); console.log(JSON.stringify(b));`;
  const info = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  const cuda = info.cudaCompiled
    ? `${Math.floor(info.cudaRuntimeVersion / 1000)}.${(info.cudaRuntimeVersion % 1000) / 10}`
    : null;
  return { version: info.libtorchVersion, cxx11Abi: info.cxx11Abi, cuda };
}

/** 'torch2.13-cpu', 'torch2.14-cu13': the flavour of what builtAgainst reports (lib/addon/manifest.ts's flavourOf). */
export function flavourOf({ version, cuda }) {
  const [major, minor] = version.split('.');
  return `torch${major}.${minor}-${cuda ? `cu${cuda.split('.')[0]}` : 'cpu'}`;
}

/** What a built addon says it was compiled against, as a flavour name. */
export function builtFlavour(addon) {
  return flavourOf(builtAgainst(addon));
}

/** The LibTorch a build directory was configured for (CMakeLists.txt caches it), or null. */
function configuredTorchDir(buildDir) {
  const cache = join(buildDir, 'CMakeCache.txt');
  if (!existsSync(cache)) return null;
  return readFileSync(cache, 'utf8').match(/^MVEB_CONFIGURED_TORCH_DIR:INTERNAL=(.*)$/m)?.[1] ?? null;
}

/** Builds (incrementally) and returns the absolute path of the flavour's addon. */
export function buildFlavour(name) {
  const flavour = flavourNamed(name);
  if (flavour.from === 'gpu-machine')
    throw new Error(`${name} is built on the GPU machine (bench/gpu/check.sh), not here`);
  const env = { ...process.env };
  delete env.LIBTORCH;
  delete env.Torch_DIR;
  delete env.MVEB_ADDON;
  if (flavour.from === 'venv') env.MVEB_PYTHON = ensureVenv(flavour);
  const out = join(root, buildDirOf(flavour));
  const configuredFor = configuredTorchDir(out);
  if (flavour.from === 'venv' && configuredFor && !configuredFor.startsWith(join(root, venvOf(flavour)) + '/')) {
    // CMakeLists.txt refuses a build directory configured for another LibTorch (its cached
    // libraries would be mixed in); this one is the flavour's own, so it starts over.
    say(`${buildDirOf(flavour)}/ was configured for ${configuredFor}: removed`);
    rmSync(out, { recursive: true, force: true });
  }
  say(`building ${name} into ${buildDirOf(flavour)}/ (incremental)`);
  run(process.execPath, [join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile', '--out', out], { env });
  const addon = join(out, 'Release', 'mveb_native.node');
  const built = builtFlavour(addon);
  if (built !== name)
    throw new Error(`${addon} was built against ${built}, not ${name}: is another LibTorch found first?`);
  return addon;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name] = process.argv.slice(2);
  if (!name) {
    say('usage: node scripts/build-flavour.mjs FLAVOUR (see scripts/flavours.mjs)');
    process.exit(2);
  }
  try {
    process.stdout.write(buildFlavour(name) + '\n');
  } catch (err) {
    say(err.message);
    process.exit(1);
  }
}
