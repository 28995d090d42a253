// `mveb-torch info`: what this installation can do.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { info, type InfoReport } from '../info.js';

const GiB = 1024 ** 3;

export function formatInfo(report: InfoReport): string {
  const lines = [
    `mveb-torch     ${report.package.version} (node ${report.node})`,
    `LibTorch       ${report.libtorch.version} (C++11 ABI: ${report.libtorch.cxx11Abi ? 'yes' : 'no'})`,
    `build          ${report.build.flavour}, ${report.build.device.toUpperCase()} (${report.build.addon})`,
    `addon          ${report.build.origin.reason}`,
    `CUDA           ${report.cuda ? 'available' : 'not available'}` +
      (report.cudaCompiled
        ? ` (built with CUDA runtime ${cudaVersion(report.cudaRuntimeVersion)}${report.cuda ? '' : '; no CUDA device is visible'})`
        : ' (CPU-only build)'),
  ];
  for (const device of report.cudaDevices) {
    lines.push(
      device.error
        ? `  cuda:${device.index}       error: ${device.error}`
        : `  cuda:${device.index}       ${device.name}, ${((device.totalMemoryBytes ?? 0) / GiB).toFixed(1)} GiB ` +
            `(${((device.freeMemoryBytes ?? 0) / GiB).toFixed(1)} GiB free), compute ${device.computeCapability}`,
    );
  }
  lines.push(
    `threads        ${report.threads.intraOp} intra-op, ${report.threads.interOp} inter-op, ` +
      `${report.threads.hardware} hardware`,
    `BLAS           ${report.blas.length ? report.blas.join(', ') : 'none loaded'}`,
    `data-parallel  ${dataParallel(report.distributedBackends)}`,
    `CPU allocator  ${report.cpuCache.installed ? `caching (up to ${(report.cpuCache.limitBytes / GiB).toFixed(1)} GiB of free blocks)` : "LibTorch's"}`,
  );
  return lines.join('\n');
}

/** 13000 → '13.0', as nvcc and torch.version.cuda write it. */
function cudaVersion(runtime: number | null): string {
  return runtime === null ? 'unknown' : `${Math.floor(runtime / 1000)}.${(runtime % 1000) / 10}`;
}

/** 'gloo', or what is missing and why: pip's torch wheels ship no Gloo headers. */
function dataParallel(backends: string[]): string {
  if (backends.includes('gloo')) return backends.join(', ');
  const noGloo =
    "no Gloo in this build, so none on CPU (pip's torch wheels ship no Gloo headers; Debian's LibTorch has them)";
  return backends.length ? `${backends.join(', ')} (CUDA); ${noGloo}` : `none: ${noGloo}`;
}

export function register(yargs: Argv): Argv {
  return yargs.command(
    'info',
    'Show the versions, build and devices this installation uses',
    (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (for machines)' }),
    (args: ArgumentsCamelCase<{ json: boolean }>) => {
      const report = info();
      process.stdout.write((args.json ? JSON.stringify(report, null, 2) : formatInfo(report)) + '\n');
    },
  );
}
