#!/usr/bin/env node
// The command line. Installed from npm (a dependency, global, npx) it runs as it is: the addon
// is prebuilt. In a git checkout it sets the checkout up (apt packages, npm ci, builds) only
// under `npm start`; otherwise a checkout that is not set up gets one line saying how, and
// nothing is installed behind the user's back (`info` included).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// sharp decodes on libuv's thread pool (4 threads by default): one per core keeps the
// view workers busy. It must be set before the pool starts, i.e. here.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, '.git'))) {
  const { cliReady, ensureSetup } = await import('../scripts/ensure-setup.mjs');
  if (process.env.npm_lifecycle_event === 'start') {
    await ensureSetup();
  } else if (!cliReady()) {
    process.stderr.write(
      'mveb-torch: this checkout is not set up yet (node_modules, dist/ or the addon build is missing): ' +
        'run `npm run setup` (it installs system packages with apt-get; on other systems it says what to install), or `npm start`\n',
    );
    process.exit(1);
  }
}
const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2));
