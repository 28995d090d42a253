// The CUDA sources are plain CUDA: nvcc must compile them even where LibTorch has no CUDA,
// so they cannot rot on CPU-only machines.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

const nvcc = process.env.NVCC ?? 'nvcc';
const hasNvcc = spawnSync(nvcc, ['--version'], { stdio: 'ignore' }).status === 0;
const cudaSources = readdirSync(join(root, 'native'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.cu'));

t.test('there are CUDA sources to check', async (t) => {
  t.ok(cudaSources.length > 0);
});

t.test('every .cu file compiles with nvcc (compile only)', { skip: hasNvcc ? false : 'nvcc not installed' }, async (t) => {
  const out = tempDir(t);
  for (const source of cudaSources) {
    const object = join(out, source.replace(/[\\/]/g, '_') + '.o');
    t.doesNotThrow(
      () =>
        execFileSync(nvcc, ['-std=c++17', '-c', join(root, 'native', source), '-I', join(root, 'native'), '-o', object], {
          stdio: 'pipe',
        }),
      source,
    );
  }
});
