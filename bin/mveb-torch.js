#!/usr/bin/env node
// Sets up a fresh checkout on first use, then runs the CLI.
import { ensureSetup } from '../scripts/ensure-setup.mjs';

ensureSetup();
const { main } = await import('../dist/cli/main.js');
await main(process.argv.slice(2));
