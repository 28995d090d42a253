// The one helper that decides which LibTorch the builds use: its order and its messages.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';
import { fakeLibTorch } from './helpers/libtorch.js';
import { tempDir } from './helpers/tmp.js';

const helper = join(root, 'lib', 'addon', 'find-libtorch.mjs');

function locate(env: Record<string, string | undefined>, args: string[] = []) {
  const clean = { ...process.env };
  delete clean.LIBTORCH;
  delete clean.Torch_DIR;
  delete clean.MVEB_PYTHON;
  return spawnSync(process.execPath, [helper, ...args], { encoding: 'utf8', env: { ...clean, ...env } });
}

t.test('LIBTORCH wins and its version, ABI, CUDA and C++ standard are read from it', async (t) => {
  const dir = fakeLibTorch(tempDir(t), { major: 2, minor: 13, abi: 0, cuda: true });
  const result = locate({ LIBTORCH: dir });
  t.equal(result.status, 0, result.stderr);
  const found = JSON.parse(result.stdout);
  t.equal(found.source, 'LIBTORCH');
  t.equal(found.version, '2.13.1');
  t.equal(found.cxx11Abi, 0);
  t.equal(found.cuda, true);
  t.equal(found.cxxStandard, 20, 'LibTorch 2.13 headers need C++20');
  t.equal(found.libDir, join(dir, 'lib'));
  const gypDefines = locate({ LIBTORCH: dir }, ['--gyp', 'defines']);
  t.equal(gypDefines.stdout, '_GLIBCXX_USE_CXX11_ABI=0', 'gyp takes the ABI flag from the LibTorch found');
  const cmake = locate({ LIBTORCH: dir }, ['--cmake']);
  t.match(cmake.stdout, /set\(MVEB_TORCH_HAS_CUDA ON\)/);
  t.match(cmake.stdout, /set\(MVEB_CXX_STANDARD 20\)/);
});

t.test('LibTorch 2.13 and later: the version is read from torch/headeronly/version.h', async (t) => {
  const dir = fakeLibTorch(tempDir(t), { major: 2, minor: 14, abi: 1, headerOnly: true });
  const found = JSON.parse(locate({ LIBTORCH: dir }).stdout);
  t.equal(found.version, '2.14.1');
  t.equal(found.cxxStandard, 20);
});

t.test('Torch_DIR is taken as the folder of TorchConfig.cmake', async (t) => {
  const dir = fakeLibTorch(tempDir(t), { major: 1, minor: 13, abi: 1 });
  const found = JSON.parse(locate({ Torch_DIR: join(dir, 'share', 'cmake', 'Torch') }).stdout);
  t.equal(found.source, 'Torch_DIR');
  t.equal(found.version, '1.13.1');
  t.equal(found.cxxStandard, 17);
});

t.test('without env, the torch of a Python interpreter comes before the system', async (t) => {
  const dir = tempDir(t);
  const torch = fakeLibTorch(join(dir, 'torch'), { major: 2, minor: 11, abi: 1, cuda: true });
  const python = join(dir, 'fake-python');
  writeFileSync(python, `#!/bin/sh\necho ${join(torch, 'share', 'cmake')}\n`);
  chmodSync(python, 0o755);
  const found = JSON.parse(locate({ MVEB_PYTHON: python }).stdout);
  t.equal(found.source, `python (${python})`);
  t.equal(found.version, '2.11.1');
  t.equal(found.cuda, true);
});

t.test(
  "a CUDA torch's GPU architectures become CMAKE_CUDA_ARCHITECTURES: SASS for each, PTX of the newest",
  async (t) => {
    const dir = tempDir(t);
    const torch = fakeLibTorch(join(dir, 'torch'), { major: 2, minor: 14, abi: 1, cuda: true, headerOnly: true });
    const python = join(dir, 'fake-python');
    // As torch._C._cuda_getArchFlags() answers for the cu130 wheel (no GPU needed).
    writeFileSync(
      python,
      `#!/bin/sh
case "$2" in *_cuda_getArchFlags*) echo "sm_75 sm_80 sm_86 sm_90 sm_100 sm_120";; *) echo ${join(torch, 'share', 'cmake')};; esac\n`,
    );
    chmodSync(python, 0o755);
    const cmake = locate({ MVEB_PYTHON: python }, ['--cmake']);
    t.equal(cmake.status, 0, cmake.stderr);
    t.match(
      cmake.stdout,
      /set\(MVEB_TORCH_CUDA_ARCHITECTURES "75-real;80-real;86-real;90-real;100-real;120-real;120-virtual"\)/,
    );
    t.match(cmake.stdout, /set\(MVEB_TORCH_CXX11_ABI 1\)/);
    const chosen = locate({ MVEB_PYTHON: python, MVEB_CUDA_ARCHITECTURES: '90' }, ['--cmake']);
    t.match(chosen.stdout, /set\(MVEB_TORCH_CUDA_ARCHITECTURES "90"\)/, 'MVEB_CUDA_ARCHITECTURES overrides');
    const zip = fakeLibTorch(join(dir, 'zip'), { major: 2, minor: 14, abi: 1, cuda: true, headerOnly: true });
    t.match(
      locate({ LIBTORCH: zip }, ['--cmake']).stdout,
      /set\(MVEB_TORCH_CUDA_ARCHITECTURES ""\)/,
      'no Python to ask: CMake keeps its default',
    );
  },
);

t.test('a LIBTORCH that is not a LibTorch is one clear line, not a stack trace', async (t) => {
  const result = locate({ LIBTORCH: tempDir(t) });
  t.equal(result.status, 1);
  t.match(result.stderr, /^mveb-torch: LIBTORCH=.* has no share\/cmake\/Torch\/TorchConfig\.cmake\.\n$/);
});

t.test('on this machine it finds a LibTorch with headers and libtorch.so', async (t) => {
  const result = locate({});
  t.equal(result.status, 0, result.stderr);
  const found = JSON.parse(result.stdout);
  t.match(found.version, /^\d+\.\d+\.\d+$/);
  t.ok(found.includeDirs.length === 2);
});
