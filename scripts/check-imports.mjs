#!/usr/bin/env node
// The import rules of lib/, from the layer table of docs/architecture.md §1 (the design says them
// once; this holds the code to it):
//   - an import only points down or across its own layer, never up;
//   - every module is in a layer (a new file or folder goes into the table first);
//   - no cycles (type-only imports and re-exports count: naming an upper layer's types is a
//     dependency on it).
// `index.ts` and `entries/` (the root and subpath exports: the public API) sit above every layer. Prints each finding; exits 1 if any.
//   node scripts/check-imports.mjs [dir] [--layers FILE]   (default: lib, docs/architecture.md)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const layersFile = args.includes('--layers')
  ? resolve(args[args.indexOf('--layers') + 1])
  : join(root, 'docs', 'architecture.md');
const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--layers');
const dir = resolve(root, positional[0] ?? 'lib');
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => join(dir, f));

/**
 * The rows `| N | modules… | knows |` of the layer table: each module a backticked file
 * (`ops.ts`) or folder (`data/`) of lib/; other backticked words in the row are prose.
 */
function readLayers(file) {
  const layers = [];
  for (const [, number, modules] of readFileSync(file, 'utf8').matchAll(/^\| (\d+) \| (.*?) \| [^|]* \|$/gm)) {
    const names = [...modules.matchAll(/`([\w-]+(?:\.ts|\/))`/g)].map((m) => m[1]);
    layers.push({ layer: Number(number), names });
  }
  if (layers.length === 0)
    throw new Error(`${file} has no layer table (rows "| N | \`module.ts\`, \`folder/\` | … |")`);
  return layers;
}

const layers = readLayers(layersFile);
const top = Math.max(...layers.map((l) => l.layer)) + 1;

/** The layer of a module of `dir`, or null when the table does not place it. */
function layerOf(file) {
  const path = relative(dir, file);
  if (path === 'index.ts' || path.startsWith('entries/')) return top;
  const found = layers.find(({ names }) => names.some((n) => (n.endsWith('/') ? path.startsWith(n) : path === n)));
  return found ? found.layer : null;
}

/** Relative imports and re-exports of a module, as absolute .ts paths. */
function importsOf(file) {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+['"](\.[^'"]+)['"]/gm)].map(
    (m) => m[1],
  );
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const name = (f) => relative(root, f);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => files.includes(g))]));
const findings = [];
for (const file of files)
  if (layerOf(file) === null) findings.push(`unplaced: ${name(file)} is in no layer of ${name(layersFile)}`);
for (const [file, imported] of graph) {
  for (const target of imported) {
    const [from, to] = [layerOf(file), layerOf(target)];
    if (from !== null && to !== null && to > from)
      findings.push(`upward: ${name(file)} (layer ${from}) imports ${name(target)} (layer ${to})`);
  }
}

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
for (const cycle of cycles) findings.push(`cycle: ${cycle.map(name).join(' -> ')}`);

for (const finding of findings) console.log(finding);
const upward = findings.filter((f) => f.startsWith('upward')).length;
const unplaced = findings.filter((f) => f.startsWith('unplaced')).length;
console.log(
  `${files.length} modules in ${layers.length} layers, ${[...graph.values()].reduce((n, e) => n + e.length, 0)} imports, ` +
    `${upward} upward, ${unplaced} unplaced, ${cycles.length} cycle(s)`,
);
process.exitCode = findings.length ? 1 : 0;
