#!/usr/bin/env node
// Runs scripts/setup.sh when this git checkout is not ready, so that the README's
// commands work on a fresh clone. Dependency-free: it runs before `npm ci`. `npm test` and
// `npm start` (and their pre-scripts and test:* variants) set a checkout up as their contract;
// anywhere else (the bench scripts) it asks first on a terminal, and without one it names
// `npm run setup` and installs nothing.
//   (no flag)       what `npx mveb-torch` needs: node_modules, dist/, the addon
//   --for-tests     also the test oracles (Python torch, torchvision, numpy, scikit-learn,
//                   Fashion-MNIST, Chromium), clang-format, and .venvs/oracles (tensorboard)
//                   and an up-to-date cmake-js build (the node-gyp one is test:e2e's)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.MVEB_PYTHON ?? '/usr/bin/python3';
const fashionMnist = process.env.MVEB_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.stderr.write(`mveb-torch: \`${command} ${args.join(' ')}\` failed (exit ${result.status}).\n`);
    process.exit(result.status ?? 1);
  }
}

function succeeds(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'ignore' }).status === 0;
}

export function cliReady() {
  return (
    existsSync(join(root, 'node_modules', '.package-lock.json')) &&
    existsSync(join(root, 'dist', 'cli', 'main.js')) &&
    existsSync(join(root, 'build-cmake', 'Release', 'mveb_native.node'))
  );
}

function oraclesReady() {
  return (
    succeeds(python, ['-c', 'import torch, torchvision, numpy']) &&
    existsSync(join(fashionMnist, 'train-images-idx3-ubyte.gz')) &&
    // skimage's photographs are the data-pipeline fixtures; scikit-learn checks the evaluation protocols
    succeeds(python, ['-c', 'import skimage.data, sklearn']) &&
    // Chromium renders the run report
    existsSync(process.env.MVEB_CHROMIUM ?? '/usr/bin/chromium') &&
    // the C++ formatter the format check runs
    succeeds('clang-format', ['--version'])
  );
}

/** Whether the npm script running us sets a checkout up by contract: test, start and theirs. */
export function setsUpByContract(lifecycleEvent = process.env.npm_lifecycle_event ?? '') {
  return /^(pre)?(test|start)(:|$)/.test(lifecycleEvent);
}

async function mayInstall() {
  if (setsUpByContract()) return true;
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(
    'mveb-torch: this checkout is not set up yet; run `npm run setup` now (apt-get may install system packages)? [y/N] ',
  );
  prompt.close();
  return /^y(es)?$/i.test(answer.trim());
}

export async function ensureSetup({ forTests = false } = {}) {
  if (!cliReady() || (forTests && !oraclesReady())) {
    if (!(await mayInstall())) {
      process.stderr.write(
        'mveb-torch: this checkout is not set up yet: run `npm run setup` (it installs system packages with apt-get), then this again\n',
      );
      process.exit(1);
    }
    process.stderr.write('mveb-torch: this checkout is not set up yet; running `npm run setup`.\n');
    run('bash', [join(root, 'scripts', 'setup.sh')]);
  }
  if (forTests) {
    // The oracles Debian does not package (TensorBoard's reader), in .venvs/oracles.
    run(process.execPath, [join(root, 'scripts', 'oracle-venv.mjs')]);
    // Incremental rebuilds, so tests never run against stale code.
    run('npm', ['run', '--silent', 'build']);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await ensureSetup({ forTests: process.argv[2] === '--for-tests' });
}
