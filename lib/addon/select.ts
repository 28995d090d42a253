// Picks the prebuilt addon that fits the LibTorch found, or says in one line why none does.
// Pure: the loader gives it what is installed and what was found.
import type { LibTorchLocation } from './find-libtorch.mjs';
import { PREBUILD_SCOPE, type AddonManifest } from './manifest.js';

export interface Prebuild {
  dir: string;
  manifest: AddonManifest;
}

export interface Machine {
  platform: string;
  arch: string;
  /** null where the C library is not glibc (musl) or unknown. */
  glibc: string | null;
}

export type FoundLibTorch = Pick<LibTorchLocation, 'source' | 'version' | 'libDir' | 'cuda' | 'cxx11Abi'>;

export type Choice = { prebuild: Prebuild; reason: string } | { prebuild: null; message: string };

const majorMinor = (version: string) => version.split('.').slice(0, 2).join('.');

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why this prebuild cannot serve this LibTorch on this machine; null when it can. */
export function mismatch(manifest: AddonManifest, libtorch: FoundLibTorch, machine: Machine): string | null {
  if (manifest.platform !== machine.platform || manifest.arch !== machine.arch) {
    return `built for ${manifest.platform}-${manifest.arch}`;
  }
  // LibTorch keeps its C++ ABI within a minor version only.
  if (majorMinor(manifest.libtorch.version) !== majorMinor(libtorch.version)) {
    return `built for LibTorch ${majorMinor(manifest.libtorch.version)}`;
  }
  if (manifest.libtorch.cxx11Abi !== Boolean(libtorch.cxx11Abi)) {
    return `built for the ${manifest.libtorch.cxx11Abi ? 'C++11' : 'pre-C++11'} ABI`;
  }
  if (Boolean(manifest.libtorch.cuda) !== libtorch.cuda) {
    return manifest.libtorch.cuda ? 'built for a CUDA LibTorch' : 'built for a CPU-only LibTorch';
  }
  if (manifest.glibc && machine.glibc === null) return `needs glibc ${manifest.glibc}, this system has none`;
  if (manifest.glibc && machine.glibc && compareVersions(machine.glibc, manifest.glibc) < 0) {
    return `needs glibc ≥ ${manifest.glibc}, this system has ${machine.glibc}`;
  }
  return null;
}

export function describeLibTorch(libtorch: FoundLibTorch): string {
  return (
    `LibTorch ${libtorch.version} (${libtorch.cuda ? 'CUDA' : 'CPU'}, ${libtorch.cxx11Abi ? 'C++11' : 'pre-C++11'} ABI) ` +
    `from ${libtorch.source}, ${libtorch.libDir}`
  );
}

export function describePrebuild(manifest: AddonManifest): string {
  const device = manifest.libtorch.cuda ? `CUDA ${manifest.libtorch.cuda}` : 'CPU';
  return `${manifest.name}@${manifest.version} (LibTorch ${majorMinor(manifest.libtorch.version)}, ${device})`;
}

/** 'installed prebuilds: a (LibTorch 1.13, CPU): built for LibTorch 1.13; …' */
export function installedSummary(prebuilds: Prebuild[], machine: Machine, libtorch?: FoundLibTorch): string {
  if (prebuilds.length === 0) {
    return `installed prebuilds: none (no ${PREBUILD_SCOPE}${machine.platform}-${machine.arch}-* package is installed)`;
  }
  const entries = prebuilds.map((p) => {
    const why = libtorch ? mismatch(p.manifest, libtorch, machine) : null;
    return describePrebuild(p.manifest) + (why && !why.startsWith('built for LibTorch') ? `, ${why}` : '');
  });
  return `installed prebuilds: ${entries.join('; ')}`;
}

export const WAYS_OUT =
  'Either install a LibTorch that a prebuild was made for (or point LIBTORCH at one), ' +
  'or compile the addon for this LibTorch: npx mveb-torch build';

export function choosePrebuild(prebuilds: Prebuild[], libtorch: FoundLibTorch, machine: Machine): Choice {
  const fitting = prebuilds.find((p) => mismatch(p.manifest, libtorch, machine) === null);
  if (fitting) {
    return {
      prebuild: fitting,
      reason: `prebuilt ${describePrebuild(fitting.manifest)}, which fits the ${describeLibTorch(libtorch)}`,
    };
  }
  return {
    prebuild: null,
    message:
      `mveb-torch: no native addon fits the ${describeLibTorch(libtorch)}; ` +
      `${installedSummary(prebuilds, machine, libtorch)}. ${WAYS_OUT}`,
  };
}
