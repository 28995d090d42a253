// The CUDA sources are plain CUDA: nvcc must compile them even where LibTorch has no CUDA,
// so they cannot rot on CPU-only machines.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fakeLibTorch } from './helpers/libtorch.js';
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

t.test(
  'every .cu file compiles with nvcc (compile only)',
  { skip: hasNvcc ? false : 'nvcc not installed' },
  async (t) => {
    const out = tempDir(t);
    for (const source of cudaSources) {
      const object = join(out, source.replace(/[\\/]/g, '_') + '.o');
      t.doesNotThrow(
        () =>
          execFileSync(
            nvcc,
            ['-std=c++17', '-c', join(root, 'native', source), '-I', join(root, 'native'), '-o', object],
            {
              stdio: 'pipe',
            },
          ),
        source,
      );
    }
  },
);

const torch = JSON.parse(
  execFileSync(process.execPath, [join(root, 'lib', 'addon', 'find-libtorch.mjs')], { encoding: 'utf8' }),
) as { cuda: boolean };
const cudaCheck = !hasNvcc
  ? 'nvcc not installed'
  : torch.cuda
    ? 'LibTorch has CUDA: the regular build compiles the CUDA sources'
    : false;

t.test(
  'the CMake CUDA build compiles, links and loads (CUDA sources forced on with a CPU LibTorch)',
  { skip: cudaCheck },
  async (t) => {
    // A second target in the regular build: every object but info_wrap.cc is shared with the addon.
    // (cmake-js configured build-cmake for `npm run build`; plain cmake adds the option to it.)
    execFileSync('cmake', ['-DMVEB_CUDA_CHECK=ON', join(root, 'build-cmake')], { cwd: root, stdio: 'pipe' });
    execFileSync('cmake', ['--build', join(root, 'build-cmake'), '--target', 'mveb_native_cuda_check'], {
      cwd: root,
      stdio: 'pipe',
    });
    const addon = join(root, 'build-cmake', 'cuda-check', 'mveb_native.node');
    const report = JSON.parse(
      execFileSync(process.execPath, [join(root, 'bin', 'mveb-torch.js'), 'info', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, MVEB_ADDON: addon },
      }),
    );
    t.equal(report.cudaCompiled, true);
    t.equal(report.build.device, 'cuda');
    t.ok(report.cudaRuntimeVersion >= 11000, `CUDA runtime ${report.cudaRuntimeVersion}`);
    t.equal(report.cuda, false, 'a CPU LibTorch reports CUDA unavailable');
  },
);

t.test(
  'a CUDA LibTorch configures without find_package(Torch), linking its five libraries and the shared CUDA runtime only',
  { skip: hasNvcc ? false : 'nvcc not installed' },
  async (t) => {
    // A pip torch's layout with nvcc and the CUDA runtime alone: Caffe2's toolkit search would stop here.
    const dir = tempDir(t);
    const libtorch = fakeLibTorch(join(dir, 'libtorch'), {
      major: 2,
      minor: 14,
      abi: 1,
      cuda: true,
      headerOnly: true,
      allLibraries: true,
    });
    const build = join(dir, 'build');
    const env: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: libtorch, MVEB_CUDA_ARCHITECTURES: '90' };
    delete env.Torch_DIR;
    const configured = spawnSync('cmake', ['-S', root, '-B', build, '-G', 'Ninja'], { encoding: 'utf8', env });
    t.equal(configured.status, 0, configured.stdout.slice(-3000) + configured.stderr.slice(-3000));
    t.match(configured.stdout, /LibTorch from LIBTORCH .*CUDA ON, CUDA sources ON/);
    t.match(configured.stdout, /mveb-torch: CUDA architectures 90/);
    const link = readFileSync(join(build, 'build.ninja'), 'utf8').match(/LINK_LIBRARIES = .*-ltorch_cuda.*/)?.[0] ?? '';
    for (const library of ['c10', 'torch_cpu', 'c10_cuda', 'torch_cuda', 'torch'])
      t.match(link, new RegExp(`-l${library}\\b`), `links ${library}`);
    t.match(link, /libcudart\.so/, 'the shared CUDA runtime');
    t.notMatch(link, /cudart_static|cudnn|cublas|libcuda\.so|nvrtc/, 'nothing of the toolkit LibTorch loads by itself');
  },
);
