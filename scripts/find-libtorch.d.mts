// Types of find-libtorch.mjs, for lib/addon/ (the script itself stays dependency-free JS:
// CMake and binding.gyp run it before anything is compiled).
export interface LibTorchLocation {
  /** 'LIBTORCH', 'Torch_DIR', 'python (<interpreter>)' or 'system'. */
  source: string;
  cmakeDir: string;
  /** From the headers, e.g. '1.13.0'; 'unknown' when they do not say. */
  version: string;
  includeDirs: string[];
  libDir: string;
  cuda: boolean;
  /** The interpreter whose torch this is; null for LIBTORCH, Torch_DIR and the system. */
  python: string | null;
  /** Gloo's headers are beside LibTorch's: the addon gets data-parallel training on CPU. */
  gloo: boolean;
  cxx11Abi: 0 | 1;
  cxxStandard: 17 | 20;
}

export class LibTorchNotFound extends Error {}

/** CMAKE_CUDA_ARCHITECTURES for the CUDA sources: the torch's own SASS targets plus PTX; null when unknown. */
export function cudaArchitectures(info: LibTorchLocation): string | null;

/** Throws LibTorchNotFound (with what to install) when there is none. */
export function findLibTorch(): LibTorchLocation;
