// Finds, checks and loads the native addon: the one module that decides which addon runs, for
// the library and the CLI alike. Order: $MVEB_ADDON, a local build (a checkout's, or
// `mveb-torch build`'s), then the installed prebuild that fits the LibTorch found.
// Nothing is ever downloaded or compiled here.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLibTorch, LibTorchNotFound } from './find-libtorch.mjs';
import { NativeAddonError } from '../errors.js';
import { PREBUILD_SCOPE, readManifest } from './manifest.js';
import {
  choosePrebuild,
  installedSummary,
  WAYS_OUT,
  type FoundLibTorch,
  type Machine,
  type Prebuild,
} from './select.js';

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AddonOrigin {
  kind: 'env' | 'local' | 'prebuilt';
  path: string;
  /** The platform package, 'name@version', for a prebuild. */
  package: string | null;
  /** Why this addon was chosen, in words. */
  reason: string;
}

const require = createRequire(import.meta.url);

/** Where `mveb-torch build` (cmake-js) and a checkout's `npm run build:gyp` put the addon. */
export function localBuilds(): string[] {
  return [
    join(packageRoot, 'build-cmake', 'Release', 'mveb_native.node'),
    join(packageRoot, 'build', 'Release', 'mveb_native.node'),
  ];
}

/**
 * The @mveb-torch/* platform packages installed where this package can require them: those it
 * lists as optional dependencies, and any other flavour the user installed beside it.
 */
export function installedPrebuilds(): Prebuild[] {
  const lookup = createRequire(join(packageRoot, 'package.json')).resolve.paths(`${PREBUILD_SCOPE}any`) ?? [];
  const found = new Map<string, Prebuild>();
  for (const modules of lookup) {
    const scope = join(modules, PREBUILD_SCOPE);
    if (!existsSync(scope)) continue;
    for (const entry of readdirSync(scope)) {
      const dir = join(scope, entry);
      // The nearest copy of a package wins, as require's own lookup.
      if (found.has(entry) || !existsSync(join(dir, 'manifest.json'))) continue;
      found.set(entry, { dir, manifest: readManifest(dir) });
    }
  }
  return [...found.values()];
}

export function thisMachine(): Machine {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { platform: process.platform, arch: process.arch, glibc: header?.glibcVersionRuntime ?? null };
}

function requireAddon<T>(path: string, advice: string): T {
  try {
    return require(path) as T;
  } catch (err) {
    // A dlopen failure carries a long message; its first line names the missing library.
    const firstLine = String((err as Error).message).split('\n')[0];
    throw new NativeAddonError(`mveb-torch: the native addon ${path} could not be loaded (${firstLine}). ${advice}`);
  }
}

const LOCAL_ADVICE =
  'Its LibTorch is missing or has changed: rebuild it with `npx mveb-torch build` (in a checkout: `npm run setup`), ' +
  'or set LD_LIBRARY_PATH to the lib directory of the LibTorch it was built against.';

// Dependencies before dependents; the addon names these by soname.
const LIBTORCH_LIBRARIES = ['libc10.so', 'libtorch_cpu.so', 'libc10_cuda.so', 'libtorch_cuda.so', 'libtorch.so'];

function loadPrebuild<T>(prebuild: Prebuild, libtorch: FoundLibTorch): T {
  const { preload } = requireAddon<{ preload(path: string): void }>(
    join(prebuild.dir, prebuild.manifest.preload),
    WAYS_OUT,
  );
  for (const library of LIBTORCH_LIBRARIES) {
    const path = join(libtorch.libDir, library);
    if (!existsSync(path)) continue;
    try {
      preload(path);
    } catch (err) {
      throw new NativeAddonError(
        `mveb-torch: cannot open ${path} of the LibTorch found (${(err as Error).message}). ${WAYS_OUT}`,
      );
    }
  }
  return requireAddon<T>(join(prebuild.dir, prebuild.manifest.addon), WAYS_OUT);
}

export function loadAddon<T>(): { addon: T; origin: AddonOrigin } {
  const explicit = process.env.MVEB_ADDON;
  if (explicit) {
    const path = resolve(explicit);
    if (!existsSync(path)) {
      throw new NativeAddonError(
        `mveb-torch: MVEB_ADDON is set to ${explicit}, which does not exist. ` +
          "Point it at a built mveb_native.node, or unset it to use the package's own.",
      );
    }
    return {
      addon: requireAddon<T>(path, LOCAL_ADVICE),
      origin: { kind: 'env', path, package: null, reason: 'MVEB_ADDON names it' },
    };
  }
  const local = localBuilds().find((p) => existsSync(p));
  if (local) {
    const reason = 'a local build (a checkout, or `mveb-torch build`), preferred to prebuilds';
    return {
      addon: requireAddon<T>(local, LOCAL_ADVICE),
      origin: { kind: 'local', path: local, package: null, reason },
    };
  }
  const machine = thisMachine();
  const prebuilds = installedPrebuilds();
  let libtorch: FoundLibTorch;
  try {
    libtorch = findLibTorch();
  } catch (err) {
    if (!(err instanceof LibTorchNotFound)) throw err;
    throw new NativeAddonError(`mveb-torch: ${err.message} ${installedSummary(prebuilds, machine)}.`);
  }
  const choice = choosePrebuild(prebuilds, libtorch, machine);
  if (!choice.prebuild) throw new NativeAddonError(choice.message);
  const { name, version, addon } = choice.prebuild.manifest;
  return {
    addon: loadPrebuild<T>(choice.prebuild, libtorch),
    origin: {
      kind: 'prebuilt',
      path: join(choice.prebuild.dir, addon),
      package: `${name}@${version}`,
      reason: choice.reason,
    },
  };
}
