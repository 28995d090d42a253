// The prebuilt flavours of the addon: one per LibTorch minor version and CPU/CUDA (LibTorch keeps
// its C++ ABI within a minor version only), and where this project's machines get each LibTorch.
// `npm run pack -- --release` packs every flavour that is built here; the main package lists them
// all as optional dependencies, and the loader picks the one that fits (lib/addon/select.ts).
//
// To add a flavour: a line here (a pip requirement the wheel mirror or PyPI holds), then
// `node scripts/build-flavour.mjs NAME` builds it and `npm run pack -- --release` packs it.

/**
 * @typedef {object} Flavour
 * @property {string} name        'torch2.13-cpu': the platform package's suffix after 'linux-x64-'
 * @property {string} libtorch    the LibTorch it is built against, in words (README, pack)
 * @property {'system' | 'venv' | 'gpu-machine'} from
 *   system: the checkout's own build (build-cmake/, Debian's libtorch-dev);
 *   venv: a virtual environment made here from pip (`.venvs/NAME`), built into `build-NAME/`;
 *   gpu-machine: built by bench/gpu/check.sh on the GPU machine, against its own torch.
 * @property {string} [torchVersion]   the version pip installed (its metadata: no local tag for the default CUDA wheel)
 * @property {string[]} [requirements] installed with their dependencies
 * @property {string[]} [noDeps]       installed without them (see `requirements` for what is put instead)
 */

/** @type {Flavour[]} */
export const FLAVOURS = [
  { name: 'torch1.13-cpu', libtorch: "Debian/Ubuntu's libtorch-dev 1.13 (CPU)", from: 'system' },
  {
    name: 'torch2.13-cpu',
    libtorch: 'pip torch 2.13.0+cpu',
    from: 'venv',
    torchVersion: '2.13.0+cpu',
    requirements: ['torch==2.13.0+cpu'],
  },
  {
    name: 'torch2.14-cu13',
    libtorch: 'pip torch 2.14.1 (CUDA 13.0)',
    from: 'venv',
    torchVersion: '2.14.1',
    // torch's own requirements but cuda-bindings and triton: Python-side packages that LibTorch
    // never loads, and that the project's wheel mirror does not hold.
    noDeps: ['torch==2.14.1'],
    requirements: [
      'filelock',
      'typing-extensions>=4.10.0',
      'setuptools>=77.0.3',
      'sympy>=1.13.3',
      'networkx>=2.5.1',
      'jinja2',
      'fsspec>=0.8.5',
      'cuda-toolkit[cublas,cudart,cufft,cufile,cupti,curand,cusolver,cusparse,nvjitlink,nvrtc,nvtx]==13.0.3',
      'nvidia-cudnn-cu13==9.24.0.43',
      'nvidia-cusparselt-cu13==0.8.1',
      'nvidia-nccl-cu13==2.30.7',
      'nvidia-nvshmem-cu13==3.4.5',
    ],
  },
  { name: 'torch2.11-cu13', libtorch: 'pip torch 2.11.0+cu130 (the GPU machine)', from: 'gpu-machine' },
];

export function flavourNamed(name) {
  const flavour = FLAVOURS.find((f) => f.name === name);
  if (!flavour) throw new Error(`unknown flavour '${name}'; known: ${FLAVOURS.map((f) => f.name).join(', ')}`);
  return flavour;
}

/** The cmake-js build directory of a flavour, relative to the package root. */
export function buildDirOf(flavour) {
  return flavour.from === 'system' ? 'build-cmake' : `build-${flavour.name}`;
}

/** The venv of a flavour, relative to the package root. */
export function venvOf(flavour) {
  return `.venvs/${flavour.name}`;
}
