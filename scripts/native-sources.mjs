#!/usr/bin/env node
// The C++ sources of the addon, for binding.gyp (CMakeLists.txt globs the same folder).
import { readdirSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = readdirSync(join(root, 'native'), { recursive: true })
  .filter((f) => f.endsWith('.cc'))
  .map((f) => relative(root, join(root, 'native', f)))
  .sort();
process.stdout.write(sources.join(' '));
