// A LibTorch laid out like a pytorch.org zip (or a pip wheel's torch/ folder), with no code in it:
// enough for the finder and the loader's checks, which read files only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function fakeLibTorch(
  dir: string,
  { major = 2, minor = 11, abi = 0, cuda = false, headerOnly = false, allLibraries = false } = {},
): string {
  mkdirSync(join(dir, 'share', 'cmake', 'Torch'), { recursive: true });
  writeFileSync(
    join(dir, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'),
    `set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=${abi}")\n`,
  );
  const numbers = `#define TORCH_VERSION_MAJOR ${major}\n#define TORCH_VERSION_MINOR ${minor}\n#define TORCH_VERSION_PATCH 1\n`;
  const apiDir = join(dir, 'include', 'torch', 'csrc', 'api', 'include', 'torch');
  mkdirSync(apiDir, { recursive: true });
  if (headerOnly) {
    // LibTorch ≥ 2.13: the numbers live in torch/headeronly/version.h, included by the old header.
    mkdirSync(join(dir, 'include', 'torch', 'headeronly'), { recursive: true });
    writeFileSync(join(dir, 'include', 'torch', 'headeronly', 'version.h'), numbers);
    writeFileSync(join(apiDir, 'version.h'), '#include <torch/headeronly/version.h>\n');
  } else {
    writeFileSync(join(apiDir, 'version.h'), numbers);
  }
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'libtorch.so'), '');
  if (cuda) writeFileSync(join(dir, 'lib', 'libtorch_cuda.so'), '');
  // Every library a build links by name (a CMake configure finds them; nothing loads them).
  if (allLibraries)
    for (const name of ['libc10.so', 'libtorch_cpu.so', ...(cuda ? ['libc10_cuda.so'] : [])])
      writeFileSync(join(dir, 'lib', name), '');
  return dir;
}
