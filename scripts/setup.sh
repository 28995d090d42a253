#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: system packages (Debian/Ubuntu), npm ci, build.
# Installs only what is missing; on other systems says exactly what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# LibTorch comes from libtorch-dev unless LIBTORCH / Torch_DIR point elsewhere.
# python3-sklearn and chromium are test oracles (evaluation protocols; the report in a browser).
# patchelf takes the build machine's RUNPATH out of the prebuilds `npm run pack -- --release` writes.
# clang-format checks the C++ format (npm run format:check, before the tests).
# ccache makes a second build of the same sources (a clean clone, another flavour) take seconds.
packages=(cmake g++ make ccache patchelf clang-format python3 python3-numpy python3-torch python3-torchvision python3-skimage python3-sklearn chromium dataset-fashion-mnist)
if [[ -z "${LIBTORCH:-}" && -z "${Torch_DIR:-}" ]]; then
  # OpenBLAS replaces Debian's reference BLAS behind LibTorch (3x faster training steps);
  # Gloo's headers give the addon data-parallel training (libtorch-dev does not pull them in).
  packages+=(libtorch-dev libopenblas0-openmp libgloo-dev)
fi

is_debian_like() { command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; }

# One line per step on the terminal; each step's full output in the log, shown on failure.
log="${MVEB_SETUP_LOG:-${TMPDIR:-/tmp}/mveb-torch-setup.log}"
: >"$log"
step() {
  local what=$1 started=$SECONDS
  shift
  printf 'mveb-torch setup: %s ... ' "$what"
  if "$@" >>"$log" 2>&1; then
    echo "done ($((SECONDS - started)) s)"
  else
    local status=$?
    echo "failed (exit $status); the last lines of $log:"
    tail -n 25 "$log" >&2
    exit "$status"
  fi
}
echo "mveb-torch setup: full log in $log"

missing_packages() {
  local p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

if [[ "${MVEB_SKIP_SYSTEM_PACKAGES:-0}" != 1 ]]; then
  if is_debian_like; then
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]})); then
      sudo=()
      [[ $(id -u) -eq 0 ]] || sudo=(sudo)
      step "updating the package lists (apt-get update)" "${sudo[@]}" apt-get update -qq
      step "installing ${missing[*]}" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
  else
    cat >&2 <<'MSG'
mveb-torch setup: this is not a Debian/Ubuntu system, so nothing was installed. You need:
  - LibTorch: `pip install torch` (its LibTorch is found through python3), or unpack a LibTorch zip
    from https://pytorch.org and set LIBTORCH=/path/to/libtorch
  - cmake >= 3.18 and a C++17 compiler (g++ >= 9 or clang >= 10), make
  - for the tests: Python 3 with torch, torchvision, numpy, scikit-image and scikit-learn (set MVEB_PYTHON
    to that interpreter), and Chromium (set MVEB_CHROMIUM to its binary)
    and the Fashion-MNIST IDX files (set MVEB_FASHION_MNIST to their folder)
Then run `npm run setup` again with MVEB_SKIP_SYSTEM_PACKAGES=1.
MSG
    exit 1
  fi
fi

node lib/addon/find-libtorch.mjs >/dev/null

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing the npm dependencies (npm ci)" npm ci --no-audit --no-fund
fi
step "building the native addon (cmake-js; a few minutes the first time, then incremental)" npm run --silent build:native
step "compiling the TypeScript" npm run --silent build:ts
echo "mveb-torch setup: done. Try: npx mveb-torch info"
