#!/usr/bin/env node
// Sets up a fresh checkout on first use, then runs the CLI.
import { availableParallelism } from 'node:os';
import { ensureSetup } from '../scripts/ensure-setup.mjs';

// sharp decodes on libuv's thread pool (4 threads by default): one per core keeps the
// view workers busy. It must be set before the pool starts, i.e. here.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

ensureSetup();
const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2));
