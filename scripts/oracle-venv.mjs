#!/usr/bin/env node
// The Python oracles Debian does not package, in their own venv (.venvs/oracles) from pip's
// configured indexes: TensorBoard's own reader (EventAccumulator) for the event files we write,
// onnx (its checker) and onnxruntime for the ONNX models we export.
// `npm test` makes it when missing (scripts/ensure-setup.mjs --for-tests).
//   node scripts/oracle-venv.mjs        make it unless it is there
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipIndexArgs } from './build-flavour.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ORACLE_PACKAGES = ['tensorboard==2.21.0', 'onnx==1.23.1', 'onnxruntime==1.30.0'];
const ORACLE_MODULES = ['tensorboard', 'onnx', 'onnxruntime'];
export const oraclePythonPath = join(root, '.venvs', 'oracles', 'bin', 'python');

export function oracleVenvReady() {
  return spawnSync(oraclePythonPath, ['-c', `import ${ORACLE_MODULES.join(', ')}`], { stdio: 'ignore' }).status === 0;
}

export function ensureOracleVenv() {
  if (oracleVenvReady()) return;
  const venv = dirname(dirname(oraclePythonPath));
  rmSync(venv, { recursive: true, force: true });
  const base = process.env.MVEB_VENV_PYTHON ?? 'python3';
  process.stderr.write(`mveb-torch: making ${venv} (${ORACLE_PACKAGES.join(', ')})\n`);
  execFileSync(base, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(
    oraclePythonPath,
    ['-m', 'pip', 'install', '-qq', '--disable-pip-version-check', ...pipIndexArgs(base), ...ORACLE_PACKAGES],
    {
      stdio: 'inherit',
    },
  );
  if (!oracleVenvReady())
    throw new Error(`${venv}: ${ORACLE_MODULES.join(', ')} do not all import after installing them`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureOracleVenv();
