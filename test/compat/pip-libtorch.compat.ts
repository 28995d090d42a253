// The addon of another flavour (a pip LibTorch; MVEB_ADDON set by scripts/test-flavour.mjs): it
// reports the LibTorch it was built against, says it has no Gloo, and refuses what needs Gloo or a
// GPU in one line naming the way out — before a worker starts or a run directory is made.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import t from 'tap';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const flavour = process.env.MVEB_TEST_FLAVOUR ?? '';
const addon = process.env.MVEB_ADDON ?? '';
const parts = /^torch(\d+)\.(\d+)-(cpu|cu\d+)$/.exec(flavour);
if (!parts || !addon) {
  throw new Error('run by scripts/test-flavour.mjs (npm run test:torch2), which builds the addon and sets MVEB_ADDON');
}
const [, major, minor, device = 'cpu'] = parts;
const cudaFlavour = device !== 'cpu';

function cliRun(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: process.env, timeout: 300_000 });
}

const report = JSON.parse(cliRun(['info', '--json']).stdout) as Record<string, any>;

t.test(`info: the addon of ${flavour}, its LibTorch, CUDA as built, no Gloo`, async (t) => {
  t.equal(report.build.addon, addon);
  t.equal(report.build.origin.kind, 'env');
  t.match(report.libtorch.version, new RegExp(`^${major}\\.${minor}\\.\\d+$`));
  t.equal(report.libtorch.cxx11Abi, true, 'pip wheels from 2.6 on use the C++11 ABI');
  t.equal(report.cudaCompiled, cudaFlavour);
  t.equal(report.build.device, cudaFlavour ? 'cuda' : 'cpu');
  if (cudaFlavour) {
    t.equal(
      Math.floor(report.cudaRuntimeVersion / 1000),
      Number(device.slice(2)),
      `CUDA runtime ${report.cudaRuntimeVersion}`,
    );
    t.same(report.distributedBackends, ['nccl'], 'NCCL compiled in, no Gloo');
  } else {
    t.equal(report.cuda, false);
    t.same(report.distributedBackends, [], 'no process group at all');
  }
  if (!report.cuda) t.same(report.cudaDevices, []);
  t.notMatch(report.blas.join(' '), /cublas/i, 'cuBLAS is not listed as the CPU BLAS');
  const text = cliRun(['info']);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, new RegExp(`^LibTorch +${major}\\.${minor}\\.`, 'm'));
  t.match(
    text.stdout,
    /^data-parallel +.*no Gloo in this build, so none on CPU \(pip's torch wheels ship no Gloo headers/m,
  );
  if (cudaFlavour && !report.cuda) {
    t.match(
      text.stdout,
      new RegExp(
        `^CUDA +not available \\(built with CUDA runtime ${device.slice(2)}\\.\\d; no CUDA device is visible\\)$`,
        'm',
      ),
    );
  } else if (!cudaFlavour) {
    t.match(text.stdout, /^CUDA +not available \(CPU-only build\)$/m);
  }
});

t.test(
  "--nproc-per-node 2 on CPU: one line naming Debian's LibTorch and NCCL on CUDA; no worker, no run directory",
  async (t) => {
    const output = tempDir(t);
    const result = cliRun([
      'train',
      '--data',
      'synthetic:64',
      '--device',
      'cpu',
      '--nproc-per-node',
      '2',
      '--output',
      output,
      '--name',
      'refused',
    ]);
    t.equal(result.status, 1, result.stderr);
    t.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.match(
      result.stderr,
      /^--nproc-per-node 2: data-parallel training on CPU needs Gloo, which this addon \(LibTorch \d+\.\d+\.\d+\) lacks/,
    );
    t.match(result.stderr, /Debian\/Ubuntu's LibTorch \(apt-get install libtorch-dev libgloo-dev/);
    t.match(result.stderr, /train on CUDA \(--device cuda\), where data-parallel runs over NCCL/);
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
    t.same(readdirSync(output), [], 'nothing was written');
  },
);

t.test(
  '--device cuda on a machine without a GPU: one line saying why',
  { skip: report.cuda ? 'a GPU is visible here' : false },
  async (t) => {
    const output = tempDir(t);
    const result = cliRun([
      'train',
      '--data',
      'synthetic:64',
      '--device',
      'cuda',
      '--max-steps',
      '1',
      '--output',
      output,
      '--name',
      'no-gpu',
    ]);
    t.equal(result.status, 1, result.stderr);
    t.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    t.match(
      result.stderr,
      cudaFlavour
        ? /^config: device 'cuda' cannot be used: no CUDA device is visible; use --device cpu or auto$/m
        : new RegExp(
            `^config: device 'cuda' cannot be used: this build is CPU-only \\(LibTorch ${major}\\.${minor}\\.\\d+ without CUDA\\)`,
            'm',
          ),
    );
    t.same(readdirSync(output), [], 'nothing was written');
  },
);
