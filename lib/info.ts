// What `mveb-torch info` reports: package, LibTorch, build, CUDA, threads, BLAS.
import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  native,
  nativeAddonOrigin,
  packageRoot,
  type AddonOrigin,
  type CpuCacheStats,
  type CudaDevice,
} from './native.js';

export interface InfoReport {
  package: { name: string; version: string };
  node: string;
  libtorch: { version: string; cxx11Abi: boolean };
  build: {
    flavour: 'cmake-js' | 'node-gyp';
    device: 'cpu' | 'cuda';
    /** The addon file loaded. */
    addon: string;
    /** Where it comes from (MVEB_ADDON, a local build, a prebuilt package) and why it was chosen. */
    origin: AddonOrigin;
  };
  cuda: boolean;
  cudaCompiled: boolean;
  cudaRuntimeVersion: number | null;
  cudaDevices: CudaDevice[];
  threads: { intraOp: number; interOp: number; hardware: number };
  blas: string[];
  /** The CPU block cache (large tensors reused without returning memory to the kernel). */
  cpuCache: CpuCacheStats;
  /** Process-group backends for data-parallel training ('gloo'), empty when the build has none. */
  distributedBackends: string[];
}

/** This package's version (what an exported ONNX model names as its producer's). */
export function packageVersion(): string {
  return packageJson().version;
}

function packageJson(): { name: string; version: string } {
  return JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };
}

/** BLAS libraries mapped into this process (Debian's generic libblas resolves to the chosen one). */
export function loadedBlasLibraries(): string[] {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return [];
  }
  const paths = new Set<string>();
  for (const line of maps.split('\n')) {
    const path = line.slice(line.indexOf('/'));
    // cuBLAS is the GPU's, not the BLAS behind CPU tensors.
    if (line.includes('/') && /blas|mkl_rt|libmkl/i.test(path) && !/cublas/i.test(path)) {
      try {
        paths.add(realpathSync(path));
      } catch {
        paths.add(path);
      }
    }
  }
  return [...paths].sort();
}

export function info(): InfoReport {
  const built = native().buildInfo();
  const origin = nativeAddonOrigin();
  const pkg = packageJson();
  return {
    package: { name: pkg.name, version: pkg.version },
    node: process.version,
    libtorch: { version: built.libtorchVersion, cxx11Abi: built.cxx11Abi },
    build: { flavour: built.buildFlavour, device: built.cudaCompiled ? 'cuda' : 'cpu', addon: origin.path, origin },
    cuda: built.cudaAvailable,
    cudaCompiled: built.cudaCompiled,
    cudaRuntimeVersion: built.cudaRuntimeVersion ?? null,
    cudaDevices: built.cudaDevices,
    threads: { ...built.threads, hardware: availableParallelism() },
    blas: loadedBlasLibraries(),
    cpuCache: native().cpuCacheStats(),
    distributedBackends: native().distributed.backends(),
  };
}

/** LibTorch's intra-op thread count for this process (torch.set_num_threads). */
export async function setNumThreads(threads: number): Promise<void> {
  await native().setNumThreads(threads);
}
