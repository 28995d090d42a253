#!/usr/bin/env node
// The command line. In a git checkout it first sets the checkout up (npm ci, builds);
// installed from npm (a dependency, global, npx) it runs as it is: the addon is prebuilt.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// sharp decodes on libuv's thread pool (4 threads by default): one per core keeps the
// view workers busy. It must be set before the pool starts, i.e. here.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '.git'))) {
  const { ensureSetup } = await import('../scripts/ensure-setup.mjs');
  ensureSetup();
}
const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2));
