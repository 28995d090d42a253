#!/usr/bin/env node
// Import cycles among the TypeScript modules of lib/ (type-only imports count: a layer that
// names an upper layer's types depends on it). Prints each cycle; exits 1 if there is one.
//   node scripts/check-imports.mjs [dir]        (default: lib)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(root, process.argv[2] ?? 'lib');
const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));

/** Relative imports and re-exports of a module, as absolute .ts paths. */
function importsOf(file) {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => files.includes(g))]));
const cycles = [];
const state = new Map(); // 1: on the current path, 2: done
const path = [];
function visit(node) {
  state.set(node, 1);
  path.push(node);
  for (const next of graph.get(node)) {
    if (state.get(next) === 1) cycles.push([...path.slice(path.indexOf(next)), next]);
    else if (!state.has(next)) visit(next);
  }
  path.pop();
  state.set(node, 2);
}
for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);

for (const cycle of cycles) console.log(`cycle: ${cycle.map((f) => relative(root, f)).join(' -> ')}`);
console.log(`${files.length} modules, ${[...graph.values()].reduce((n, e) => n + e.length, 0)} imports, ${cycles.length} cycle(s)`);
process.exitCode = cycles.length ? 1 : 0;
