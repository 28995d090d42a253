#!/usr/bin/env node
// One format for the code: prettier for the TypeScript and JavaScript (.prettierrc.json),
// clang-format for the C++ and CUDA of native/ (.clang-format). `--write` applies both;
// otherwise it lists what differs and exits 1 (CI runs it before the tests).
//   node scripts/check-format.mjs [--write]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');

/** Tracked files (and new ones not ignored) matching git pathspecs. */
function files(...pathspecs) {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...pathspecs], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  return listed.stdout.split('\n').filter(Boolean);
}

const scripts = files(
  'lib/*.ts',
  'lib/*.mjs',
  'test/*.ts',
  'scripts/*.mjs',
  'scripts/*.mts',
  'bin/*.js',
  'bench/*.mjs',
  'examples/*.ts',
  'examples/*.mjs',
);
const native = files('native/*.cc', 'native/*.h', 'native/*.cu');

let failed = false;
const prettier = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    write ? '--write' : '--check',
    '--log-level',
    'warn',
    ...scripts,
  ],
  { cwd: root, encoding: 'utf8' },
);
if (prettier.status !== 0) {
  failed = true;
  process.stdout.write(prettier.stdout + prettier.stderr);
}

const clang = spawnSync('clang-format', ['--version'], { encoding: 'utf8' });
if (clang.error) {
  process.stdout.write(
    'clang-format is not installed (Debian: apt-get install clang-format; npm run setup installs it)\n',
  );
  failed = true;
} else {
  const formatted = spawnSync('clang-format', [write ? '-i' : '--dry-run', ...(write ? [] : ['--Werror']), ...native], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (formatted.status !== 0) {
    failed = true;
    const unformatted = [
      ...new Set([...formatted.stderr.matchAll(/^(native\/[^:]+):\d+:\d+: error/gm)].map((m) => m[1])),
    ];
    process.stdout.write(unformatted.length ? `[warn] ${unformatted.join('\n[warn] ')}\n` : formatted.stderr);
  }
}

if (failed && !write) process.stdout.write('the code is not formatted: run npm run format, and commit the result\n');
console.log(
  `${scripts.length} TypeScript/JavaScript and ${native.length} C++/CUDA files ${write ? 'formatted' : failed ? 'checked: not all are formatted' : 'formatted as configured'}`,
);
process.exitCode = failed ? 1 : 0;
