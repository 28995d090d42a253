// What a prebuilt addon was built against: manifest.json in each platform package, written by
// scripts/pack.mjs from the built addon's own report, read by the loader to pick a prebuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AddonManifest {
  /** '@mveb-torch/linux-x64-torch1.13-cpu' */
  name: string;
  version: string;
  platform: NodeJS.Platform;
  arch: string;
  libtorch: {
    /** The version the addon was compiled against, e.g. '1.13.0'; major.minor must match. */
    version: string;
    cxx11Abi: boolean;
    /** CUDA runtime the addon was compiled with, e.g. '13.0'; null for a CPU build. */
    cuda: string | null;
  };
  /** Highest GLIBC_x.y symbol version the addon needs (the oldest glibc it runs on). */
  glibc: string | null;
  nodeApi: number;
  /** File names inside the package. */
  addon: string;
  preload: string;
}

export const PREBUILD_SCOPE = '@mveb-torch/';

/** 'torch1.13-cpu', 'torch2.11-cu13': one prebuild per LibTorch minor version and CUDA major. */
export function flavourOf(libtorch: { version: string; cuda: string | null }): string {
  const [major, minor] = libtorch.version.split('.');
  const device = libtorch.cuda ? `cu${libtorch.cuda.split('.')[0]}` : 'cpu';
  return `torch${major}.${minor}-${device}`;
}

/** '@mveb-torch/linux-x64-torch1.13-cpu' */
export function prebuildPackageName(platform: string, arch: string, libtorch: AddonManifest['libtorch']): string {
  return `${PREBUILD_SCOPE}${platform}-${arch}-${flavourOf(libtorch)}`;
}

export function readManifest(packageDir: string): AddonManifest {
  return JSON.parse(readFileSync(join(packageDir, 'manifest.json'), 'utf8')) as AddonManifest;
}
