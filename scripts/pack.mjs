#!/usr/bin/env node
// `npm run pack`: every tarball a user installs, into out/npm/ —
//   mveb-torch-<version>.tgz                       JS, types, docs, sources for `mveb-torch build`
//   mveb-torch-<platform>-<flavour>-<version>.tgz  the addon prebuilt here, e.g. linux-x64-torch1.13-cpu
// By default the platform package is the checkout's own build (build-cmake/, this machine's
// LibTorch); a GPU machine packs the CUDA flavour the same way.
//   --release         every flavour of scripts/flavours.mjs that is built here (each against its
//                     own LibTorch: Debian's, and pip venvs made from the wheel mirror), not only
//                     the checkout's; the one built on the GPU machine is packed there
//   --platform-only   only the platform package (bench/gpu/check.sh)
//   --out DIR         instead of out/npm (its older tarballs are removed, nothing else)
//   --build-dir DIR   pack the addon built in DIR (a cmake-js out dir) instead of build-cmake/
//   --no-build        pack the addon and dist/ as they are (the tests: other tests use them meanwhile)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAVOURS } from './flavours.mjs';
import { buildFlavour, builtAgainst, builtFlavour, flavourOf } from './build-flavour.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const platformOnly = args.includes('--platform-only');
const release = args.includes('--release');
const option = (name, fallback) => (args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : fallback);
const out = option('--out', join(root, 'out', 'npm'));
const buildDir = option('--build-dir', join(root, 'build-cmake'));

// The prebuilds a release carries; the main package lists them as optional dependencies and the
// loader picks the one that fits the user's LibTorch (lib/addon/select.ts).
const RELEASED_FLAVOURS = FLAVOURS.map((f) => `linux-x64-${f.name}`);

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const say = (line) => process.stdout.write(`mveb-torch pack: ${line}\n`);

function npm(argv, cwd) {
  return execFileSync('npm', argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The highest GLIBC_x.y the addon's symbols need: the oldest glibc it loads on. */
function glibcNeeded(file) {
  const symbols = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const versions = [...symbols.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (!versions.length) return null;
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return versions.at(-1).join('.');
}

function stripInto(source, target) {
  if (spawnSync('strip', ['--strip-unneeded', '-o', target, source], { stdio: 'inherit' }).status !== 0) {
    say(`strip failed or is missing; ${source} is packed unstripped`);
    copyFileSync(source, target);
  }
}

/**
 * The build's RUNPATH names the build machine's LibTorch; a prebuild must find the user's. The
 * loader preloads it by absolute path, and sonames already loaded match before any RUNPATH is
 * searched, so a leftover one is harmless; without patchelf it stays.
 */
function removeRunpath(file) {
  const dynamic = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
  if (!/\((RUNPATH|RPATH)\)/.test(dynamic)) return 'none';
  if (spawnSync('patchelf', ['--remove-rpath', file], { stdio: 'inherit' }).status === 0) return 'removed';
  if (release) {
    // A venv build's RUNPATH names this machine's venv: on it, a release check would load
    // LibTorch through that path and never test the preload a user's machine relies on.
    process.stderr.write(
      `mveb-torch pack: patchelf is missing, and a release prebuild must not keep its build RUNPATH (${file}); apt-get install patchelf\n`,
    );
    process.exit(1);
  }
  say(`patchelf is missing: ${file} keeps its build RUNPATH (harmless: the loader preloads LibTorch)`);
  return 'kept';
}

function packDir(dir) {
  const [result] = JSON.parse(npm(['pack', '--json', '--pack-destination', out], dir));
  say(
    `${result.filename}: ${result.entryCount} files, ${(result.size / 1e6).toFixed(2)} MB packed, ${(result.unpackedSize / 1e6).toFixed(2)} MB unpacked`,
  );
  return result;
}

function packPlatform(stage, buildDir) {
  const built = join(buildDir, 'Release');
  const addon = join(built, 'mveb_native.node');
  const libtorch = builtAgainst(addon);
  const [major, minor] = libtorch.version.split('.');
  const flavour = flavourOf(libtorch);
  const name = `@mveb-torch/${process.platform}-${process.arch}-${flavour}`;
  const dir = join(stage, flavour);
  mkdirSync(dir, { recursive: true });
  stripInto(addon, join(dir, 'mveb_native.node'));
  stripInto(join(built, 'mveb_preload.node'), join(dir, 'mveb_preload.node'));
  const runpath = removeRunpath(join(dir, 'mveb_native.node'));
  const manifest = {
    name,
    version: rootPackage.version,
    platform: process.platform,
    arch: process.arch,
    libtorch,
    glibc: glibcNeeded(join(dir, 'mveb_native.node')),
    nodeApi: rootPackage.binary.napi_versions[0],
    addon: 'mveb_native.node',
    preload: 'mveb_preload.node',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  const libc = process.platform === 'linux' ? { libc: ['glibc'] } : {};
  const pkg = {
    name,
    version: rootPackage.version,
    description: `mveb-torch's native addon for ${process.platform}-${process.arch}, LibTorch ${major}.${minor} (${libtorch.cuda ? `CUDA ${libtorch.cuda}` : 'CPU'}); LibTorch itself is not included`,
    license: rootPackage.license,
    os: [process.platform],
    cpu: [process.arch],
    ...libc,
    files: ['mveb_native.node', 'mveb_preload.node', 'manifest.json'],
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeFileSync(
    join(dir, 'README.md'),
    `# ${name}\n\nThe prebuilt native addon of [mveb-torch](https://www.npmjs.com/package/mveb-torch) for ` +
      `${process.platform}-${process.arch} with LibTorch ${major}.${minor} (${libtorch.cuda ? `CUDA ${libtorch.cuda}` : 'CPU'}, ` +
      `C++11 ABI: ${libtorch.cxx11Abi}, glibc ≥ ${manifest.glibc}). Installed by \`mveb-torch\` as an optional dependency; ` +
      'see manifest.json for what it was built against.\n',
  );
  say(
    `${name}: built against LibTorch ${libtorch.version}${libtorch.cuda ? ` with CUDA ${libtorch.cuda}` : ''}, glibc ≥ ${manifest.glibc}, build RUNPATH: ${runpath}`,
  );
  return packDir(dir);
}

function packMain(stage) {
  const dir = join(stage, 'main');
  // npm's own reading of "files" decides what the package holds.
  const [listing] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root));
  for (const { path } of listing.files) {
    if (path === 'package.json') continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(root, path), join(dir, path));
  }
  const { scripts, devDependencies, tap, ...published } = rootPackage;
  const optionalDependencies = Object.fromEntries(
    RELEASED_FLAVOURS.map((f) => [`@mveb-torch/${f}`, rootPackage.version]),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...published, optionalDependencies }, null, 2) + '\n');
  return packDir(dir);
}

const builds = args.includes('--no-build')
  ? []
  : args.includes('--build-dir')
    ? ['build:ts']
    : ['build:native', 'build:ts'];
if (builds.length) say(`building (incremental): ${builds.join(', ')}`);
for (const script of builds) {
  if (spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
const buildDirs = [buildDir];
if (release) {
  // The checkout's build is the 'system' flavour (unless LIBTORCH or a Python's torch took its place).
  const system = FLAVOURS.find((f) => f.from === 'system');
  const checkout = builtFlavour(join(buildDir, 'Release', 'mveb_native.node'));
  if (checkout !== system.name) {
    process.stderr.write(
      `mveb-torch pack: ${buildDir} holds ${checkout}, not the release's ${system.name} (${system.libtorch}): ` +
        'rebuild it without LIBTORCH, Torch_DIR or a Python torch in the way\n',
    );
    process.exit(1);
  }
  // Every other flavour made here gets its own venv and build directory.
  for (const flavour of FLAVOURS.filter((f) => f.from === 'venv')) {
    try {
      buildDirs.push(dirname(dirname(buildFlavour(flavour.name))));
    } catch (err) {
      process.stderr.write(`mveb-torch pack: ${flavour.name}: ${err.message}\n`);
      process.exit(1);
    }
  }
  say(
    `release flavours built here: ${buildDirs.map((d) => d.slice(root.length + 1)).join(', ')}; ` +
      `packed on the GPU machine: ${FLAVOURS.filter((f) => f.from === 'gpu-machine')
        .map((f) => f.name)
        .join(', ')}`,
  );
}
for (const needed of [
  ...buildDirs.map((d) => join(d, 'Release', 'mveb_native.node')),
  join(root, 'dist', 'index.js'),
]) {
  if (!existsSync(needed)) {
    process.stderr.write(`mveb-torch pack: ${needed} is missing; run \`npm run build\` first.\n`);
    process.exit(1);
  }
}
const stage = join(root, 'out', 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Last pack's tarballs only: `--out` may name a folder that holds other files.
for (const name of readdirSync(out)) if (name.endsWith('.tgz')) rmSync(join(out, name));
for (const dir of buildDirs) packPlatform(stage, dir);
if (!platformOnly) packMain(stage);
rmSync(stage, { recursive: true, force: true });
say(`tarballs in ${out}`);
