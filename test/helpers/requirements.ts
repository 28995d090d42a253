// Tests that need a dataset or an oracle this machine may lack (a bare GPU machine is carried
// only part of them) are skipped there with the reason printed — except under
// MVEB_STRICT_TESTS=1 (CI sets it), where they run and fail instead of skipping.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fashionMnistFiles } from '../../lib/entries/data.js';
import { oraclePython } from './python.js';

const strict = process.env.MVEB_STRICT_TESTS === '1';

export function withoutFashionMnist(...splits: Array<'train' | 't10k'>): string | false {
  if (strict) return false;
  const missing = splits.map((split) => fashionMnistFiles(split).images).filter((path) => !existsSync(path));
  return missing.length === 0
    ? false
    : `Fashion-MNIST missing: ${missing.join(', ')} (Debian's dataset-fashion-mnist, or MVEB_FASHION_MNIST)`;
}

export function withoutPythonModules(...modules: string[]): string | false {
  if (strict) return false;
  const result = spawnSync(oraclePython, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
  return result.status === 0 ? false : `${oraclePython} cannot import ${modules.join(', ')}`;
}

export const chromium = process.env.MVEB_CHROMIUM ?? '/usr/bin/chromium';

export function withoutChromium(): string | false {
  if (strict) return false;
  return existsSync(chromium) ? false : `Chromium not found at ${chromium} (Debian's chromium, or MVEB_CHROMIUM)`;
}

/** The npm registry answers within a few seconds (what an install of our tarballs needs). */
export function withoutNpmRegistry(): string | false {
  if (strict) return false;
  const ping = spawnSync('npm', ['ping', '--fetch-timeout=5000', '--fetch-retries=0'], {
    stdio: 'ignore',
    timeout: 20_000,
  });
  return ping.status === 0
    ? false
    : "the npm registry cannot be reached (npm ping failed): the tarballs' dependencies cannot be installed";
}
