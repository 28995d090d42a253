// Which prebuilt addon the loader takes for the LibTorch found, and the one-line message when none
// fits: version (major.minor), C++ ABI, CUDA and glibc each decide.
import t from 'tap';
import { flavourOf, prebuildPackageName, type AddonManifest } from '../../lib/addon/manifest.js';
import { choosePrebuild, mismatch, type FoundLibTorch, type Machine, type Prebuild } from '../../lib/addon/select.js';

const machine: Machine = { platform: 'linux', arch: 'x64', glibc: '2.36' };

function prebuild(libtorch: AddonManifest['libtorch'], overrides: Partial<AddonManifest> = {}): Prebuild {
  const name = prebuildPackageName('linux', 'x64', libtorch);
  const manifest: AddonManifest = {
    name,
    version: '0.1.0',
    platform: 'linux',
    arch: 'x64',
    libtorch,
    glibc: '2.34',
    nodeApi: 8,
    addon: 'mveb_native.node',
    preload: 'mveb_preload.node',
    ...overrides,
  };
  return { dir: `/node_modules/${name}`, manifest };
}

const debianCpu = prebuild({ version: '1.13.0', cxx11Abi: true, cuda: null });
const pipCuda = prebuild({ version: '2.11.0', cxx11Abi: true, cuda: '13.0' });
const found = (over: Partial<FoundLibTorch>): FoundLibTorch => ({
  source: 'system',
  version: '1.13.0',
  libDir: '/usr/lib/x86_64-linux-gnu',
  cuda: false,
  cxx11Abi: 1,
  ...over,
});

t.test('package names: one per platform, LibTorch minor version and CUDA major', async (t) => {
  t.equal(debianCpu.manifest.name, '@mveb-torch/linux-x64-torch1.13-cpu');
  t.equal(pipCuda.manifest.name, '@mveb-torch/linux-x64-torch2.11-cu13');
  t.equal(flavourOf({ version: '2.11.0', cuda: '12.8' }), 'torch2.11-cu12');
});

t.test('the prebuild of the same minor version, ABI and device is chosen, patch versions aside', async (t) => {
  const choice = choosePrebuild([pipCuda, debianCpu], found({ version: '1.13.1' }), machine);
  t.equal(choice.prebuild, debianCpu);
  if (choice.prebuild)
    t.match(
      choice.reason,
      /prebuilt @mveb-torch\/linux-x64-torch1\.13-cpu@0\.1\.0 .* fits the LibTorch 1\.13\.1 \(CPU/,
    );
  const cuda = choosePrebuild(
    [debianCpu, pipCuda],
    found({ version: '2.11.0', cuda: true, source: 'python (python3)' }),
    machine,
  );
  t.equal(cuda.prebuild, pipCuda);
});

t.test('each difference is named', async (t) => {
  const m = debianCpu.manifest;
  t.equal(mismatch(m, found({ version: '2.13.0' }), machine), 'built for LibTorch 1.13');
  t.equal(mismatch(m, found({ cxx11Abi: 0 }), machine), 'built for the C++11 ABI');
  t.equal(mismatch(m, found({ cuda: true }), machine), 'built for a CPU-only LibTorch');
  t.equal(mismatch(pipCuda.manifest, found({ version: '2.11.0' }), machine), 'built for a CUDA LibTorch');
  t.equal(mismatch(m, found({}), { ...machine, glibc: '2.31' }), 'needs glibc ≥ 2.34, this system has 2.31');
  t.equal(mismatch(m, found({}), { ...machine, glibc: null }), 'needs glibc 2.34, this system has none');
  t.equal(mismatch(m, found({}), { ...machine, arch: 'arm64' }), 'built for linux-x64');
  t.equal(mismatch(m, found({}), { ...machine, glibc: '2.34' }), null);
});

t.test('no fit: one line with what was found, what is installed, and the two ways out', async (t) => {
  const choice = choosePrebuild(
    [debianCpu],
    found({ version: '2.13.0', source: 'LIBTORCH', libDir: '/opt/torch/lib' }),
    machine,
  );
  t.equal(choice.prebuild, null);
  if (choice.prebuild) return;
  t.notMatch(choice.message, /\n/);
  t.match(
    choice.message,
    /^mveb-torch: no native addon fits the LibTorch 2\.13\.0 \(CPU, C\+\+11 ABI\) from LIBTORCH, \/opt\/torch\/lib;/,
  );
  t.match(
    choice.message,
    /installed prebuilds: @mveb-torch\/linux-x64-torch1\.13-cpu@0\.1\.0 \(LibTorch 1\.13, CPU\)\./,
  );
  t.match(choice.message, /install a LibTorch that a prebuild was made for .* npx mveb-torch build$/);
  const none = choosePrebuild([], found({}), machine);
  t.match(
    !none.prebuild && none.message,
    /installed prebuilds: none \(no @mveb-torch\/linux-x64-\* package is installed\)/,
  );
  const oldGlibc = choosePrebuild([debianCpu], found({}), { ...machine, glibc: '2.28' });
  t.match(
    !oldGlibc.prebuild && oldGlibc.message,
    /\(LibTorch 1\.13, CPU\), needs glibc ≥ 2\.34, this system has 2\.28\./,
  );
});
