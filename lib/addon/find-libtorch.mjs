#!/usr/bin/env node
// The one place that decides which LibTorch the addon builds against.
// Order: LIBTORCH / Torch_DIR env, then the torch inside a Python, then the system.
// Used by CMakeLists.txt (--cmake), binding.gyp (--gyp <field>), the addon loader and `info`
// (--json). Plain, dependency-free JavaScript, its exports typed by JSDoc (TypeScript emits
// its .d.mts): CMake and node-gyp run it before anything is compiled.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SYSTEM_CMAKE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/cmake/Torch',
  '/usr/lib/aarch64-linux-gnu/cmake/Torch',
  '/usr/lib/cmake/Torch',
  '/usr/share/cmake/Torch',
  '/usr/local/share/cmake/Torch',
  '/usr/local/lib/cmake/Torch',
];

const INSTALL_HINT =
  'Install it with `npm run setup` (Debian/Ubuntu: apt-get install libtorch-dev), ' +
  'or point LIBTORCH at an unpacked LibTorch zip from pytorch.org, ' +
  'or install PyTorch with pip so that `python3 -c "import torch"` works.';

/**
 * @typedef {object} LibTorchLocation
 * @property {string} source 'LIBTORCH', 'Torch_DIR', 'python (<interpreter>)' or 'system'.
 * @property {string} cmakeDir
 * @property {string} version From the headers, e.g. '1.13.0'; 'unknown' when they do not say.
 * @property {string[]} includeDirs
 * @property {string} libDir
 * @property {boolean} cuda
 * @property {string | null} python The interpreter whose torch this is; null for LIBTORCH, Torch_DIR and the system.
 * @property {boolean} gloo Gloo's headers are beside LibTorch's: the addon gets data-parallel training on CPU.
 * @property {0 | 1} cxx11Abi
 * @property {17 | 20} cxxStandard
 */

export class LibTorchNotFound extends Error {}

function torchConfigIn(dir) {
  return dir && existsSync(join(dir, 'TorchConfig.cmake')) ? resolve(dir) : null;
}

function fromEnvironment() {
  if (process.env.Torch_DIR) {
    const dir = torchConfigIn(process.env.Torch_DIR);
    if (!dir) throw new LibTorchNotFound(`Torch_DIR=${process.env.Torch_DIR} has no TorchConfig.cmake.`);
    return { cmakeDir: dir, source: 'Torch_DIR' };
  }
  if (process.env.LIBTORCH) {
    const dir = torchConfigIn(join(process.env.LIBTORCH, 'share', 'cmake', 'Torch'));
    if (!dir)
      throw new LibTorchNotFound(`LIBTORCH=${process.env.LIBTORCH} has no share/cmake/Torch/TorchConfig.cmake.`);
    return { cmakeDir: dir, source: 'LIBTORCH' };
  }
  return null;
}

function pythonCandidates() {
  const list = [process.env.MVEB_PYTHON, 'python3', 'python', '/usr/bin/python3'].filter(Boolean);
  return [...new Set(list)];
}

const FIND_TORCH_PY =
  'import importlib.util as u, os; s = u.find_spec("torch"); ' +
  'print(os.path.join(s.submodule_search_locations[0], "share", "cmake") if s and s.submodule_search_locations else "")';

function fromPython() {
  for (const python of pythonCandidates()) {
    let prefixPath;
    try {
      // find_spec locates torch without importing it (an import takes ~1.5 s; the loader runs this).
      prefixPath = execFileSync(python, ['-c', FIND_TORCH_PY], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60_000,
      }).trim();
    } catch {
      continue;
    }
    if (!prefixPath) continue;
    // Debian's python3-torch has no CMake files of its own: the system step finds its LibTorch.
    const dir = torchConfigIn(join(prefixPath, 'Torch'));
    if (dir) return { cmakeDir: dir, source: `python (${python})`, python };
  }
  return null;
}

function fromSystem() {
  for (const candidate of SYSTEM_CMAKE_DIRS) {
    const dir = torchConfigIn(candidate);
    if (dir) return { cmakeDir: dir, source: 'system' };
  }
  return null;
}

function firstExisting(paths) {
  return paths.find((p) => existsSync(p)) ?? null;
}

function describe({ cmakeDir, source, python }) {
  const config = readFileSync(join(cmakeDir, 'TorchConfig.cmake'), 'utf8');
  const prefix = resolve(cmakeDir, '..', '..', '..');
  // Debian keeps headers in /usr/include and libraries in the multiarch dir beside cmake/.
  const includeRoot = firstExisting([join(prefix, 'include'), resolve(cmakeDir, '..', '..', '..', '..', 'include')]);
  if (!includeRoot) throw new LibTorchNotFound(`LibTorch at ${cmakeDir} has no include directory.`);
  const libDir = firstExisting(
    [join(prefix, 'lib'), resolve(cmakeDir, '..', '..')].filter((d) => existsSync(join(d, 'libtorch.so'))),
  );
  if (!libDir) throw new LibTorchNotFound(`LibTorch at ${cmakeDir}: libtorch.so not found beside it.`);
  // LibTorch 2.13 moved the numbers to torch/headeronly/version.h (the old header includes it).
  const header = [
    join(includeRoot, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h'),
    join(includeRoot, 'torch', 'headeronly', 'version.h'),
  ]
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');
  const part = (name) => (header.match(new RegExp(`#define TORCH_VERSION_${name} (\\d+)`)) ?? [])[1];
  const version = part('MAJOR') ? `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` : 'unknown';
  const abiMatch = config.match(/_GLIBCXX_USE_CXX11_ABI=([01])/);
  const major = Number(part('MAJOR') ?? 0);
  const minor = Number(part('MINOR') ?? 0);
  return {
    source,
    cmakeDir,
    version,
    includeDirs: [includeRoot, join(includeRoot, 'torch', 'csrc', 'api', 'include')],
    libDir,
    cuda: readdirSync(libDir).some((f) => f.startsWith('libtorch_cuda')),
    // The interpreter whose torch this is (null for LIBTORCH, Torch_DIR and the system).
    python: python ?? null,
    // Gloo's headers beside LibTorch's (Debian: libgloo-dev): data-parallel training on CPU.
    gloo: existsSync(join(includeRoot, 'gloo', 'algorithm.h')),
    cxx11Abi: abiMatch ? Number(abiMatch[1]) : 1,
    // LibTorch 2.13 and later use C++20 in their headers.
    cxxStandard: major > 2 || (major === 2 && minor >= 13) ? 20 : 17,
  };
}

/**
 * Throws LibTorchNotFound (with what to install) when there is none.
 * @returns {LibTorchLocation}
 */
export function findLibTorch() {
  const found = fromEnvironment() ?? fromPython() ?? fromSystem();
  if (!found) throw new LibTorchNotFound(`LibTorch not found. ${INSTALL_HINT}`);
  return describe(found);
}

/**
 * The GPU architectures to compile the CUDA sources for, as CMAKE_CUDA_ARCHITECTURES: those of
 * the torch found, as PyTorch extensions do (`MVEB_CUDA_ARCHITECTURES` overrides). Every SASS
 * target torch has, plus PTX of its newest (or the PTX torch lists), so newer GPUs JIT it. null
 * when unknown (a LibTorch zip, no Python): CMakeLists.txt keeps its own default then.
 * @param {LibTorchLocation} info
 * @returns {string | null}
 */
export function cudaArchitectures(info) {
  if (process.env.MVEB_CUDA_ARCHITECTURES) return process.env.MVEB_CUDA_ARCHITECTURES;
  if (!info.cuda || !info.python) return null;
  let flags;
  try {
    // _cuda_getArchFlags answers without a GPU (torch.cuda.get_arch_list() needs one); it imports torch (~2 s).
    flags = execFileSync(info.python, ['-c', 'import torch; print(torch._C._cuda_getArchFlags() or "")'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 120_000,
    });
  } catch {
    return null;
  }
  const numbers = (prefix) => [...flags.matchAll(new RegExp(`\\b${prefix}_(\\d+a?)\\b`, 'g'))].map((m) => m[1]);
  const sass = [...new Set(numbers('sm'))];
  if (sass.length === 0) return null;
  const ptx = numbers('compute');
  const virtual = ptx.length ? ptx : [sass.reduce((a, b) => (parseInt(b, 10) > parseInt(a, 10) ? b : a))];
  return [...sass.map((n) => `${n}-real`), ...virtual.map((n) => `${n}-virtual`)].join(';');
}

function cmakeQuote(s) {
  return `"${String(s).replace(/\\/g, '/').replace(/"/g, '\\"')}"`;
}

function main(argv) {
  let info;
  try {
    info = findLibTorch();
  } catch (err) {
    if (!(err instanceof LibTorchNotFound)) throw err;
    process.stderr.write(`mveb-torch: ${err.message}\n`);
    process.exit(1);
  }
  const [mode, field] = argv;
  if (mode === '--cmake') {
    process.stdout.write(
      [
        `set(Torch_DIR ${cmakeQuote(info.cmakeDir)} CACHE PATH "LibTorch CMake config" FORCE)`,
        `set(MVEB_TORCH_SOURCE ${cmakeQuote(info.source)})`,
        `set(MVEB_TORCH_HAS_CUDA ${info.cuda ? 'ON' : 'OFF'})`,
        `set(MVEB_CXX_STANDARD ${info.cxxStandard})`,
        `set(MVEB_TORCH_CUDA_ARCHITECTURES ${cmakeQuote(cudaArchitectures(info) ?? '')})`,
        // cmake/libtorch-cuda.cmake sets a CUDA LibTorch's targets up from these.
        `set(MVEB_TORCH_INCLUDE_DIRS ${info.includeDirs.map(cmakeQuote).join(' ')})`,
        `set(MVEB_TORCH_LIB_DIR ${cmakeQuote(info.libDir)})`,
        `set(MVEB_TORCH_CXX11_ABI ${info.cxx11Abi})`,
        // TorchConfig finds Caffe2 and its libraries with find_package/find_library(... PATHS …),
        // which search the system's directories first: with Debian's libtorch-dev installed, a pip
        // torch's headers were linked against Debian's 1.13 libraries. Its own come first.
        `set(Caffe2_DIR ${cmakeQuote(join(info.cmakeDir, '..', 'Caffe2'))} CACHE PATH "LibTorch's Caffe2 config" FORCE)`,
        `list(PREPEND CMAKE_PREFIX_PATH ${cmakeQuote(resolve(info.cmakeDir, '..', '..', '..'))})`,
        `list(PREPEND CMAKE_LIBRARY_PATH ${cmakeQuote(info.libDir)})`,
        '',
      ].join('\n'),
    );
  } else if (mode === '--gyp') {
    const gyp = {
      include_dirs: info.includeDirs.join(' '),
      lib_dir: info.libDir,
      defines: [
        `_GLIBCXX_USE_CXX11_ABI=${info.cxx11Abi}`,
        ...(info.gloo ? ['USE_C10D_GLOO', 'MVEB_WITH_GLOO'] : []),
      ].join(' '),
      cxx_std: `-std=c++${info.cxxStandard}`,
    };
    if (!(field in gyp)) throw new Error(`unknown --gyp field ${field}`);
    process.stdout.write(gyp[field]);
  } else {
    process.stdout.write(JSON.stringify(info, null, 2) + '\n');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2));
}
