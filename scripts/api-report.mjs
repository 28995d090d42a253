#!/usr/bin/env node
// The public API of mveb-torch as the TypeScript checker sees its entry points (package.json's
// `exports`: the root, lib/index.ts, and each subpath, lib/entries/NAME.ts): under a heading per
// entry, every export (and the members of exported namespaces) with its kind and type, one per
// line, in api/mveb-torch.api.txt.
// CI compares it (`--check`), so an API change is a visible diff in review; `--write` updates it.
// It also lists the types that public signatures name but the package does not export (a user
// could not name them): there must be none.
//   node scripts/api-report.mjs --check | --write | (print)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Each subpath of `exports` with its TypeScript source: ./dist/X.js is built from lib/X.ts.
const entries = Object.entries(packageJson.exports)
  .filter(([, target]) => typeof target === 'object' && target.import)
  .map(([subpath, target]) => ({
    name: subpath === '.' ? packageJson.name : `${packageJson.name}/${subpath.replace(/^\.\//, '')}`,
    file: join(root, target.import.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts')),
  }));
const reportFile = join(root, 'api', 'mveb-torch.api.txt');
const lib = join(root, 'lib') + '/';

const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
  },
);
const checker = program.getTypeChecker();
const FLAGS = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

const resolved = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
// `@internal` (stripInternal leaves it out of the .d.ts): a JSDoc tag, or an inline comment before a parameter property.
const isInternal = (decl) =>
  ts.getJSDocTags(decl).some((tag) => tag.tagName.text === 'internal') ||
  decl.getSourceFile().text.slice(decl.getFullStart(), decl.getStart()).includes('@internal');
const isPrivate = (decl) =>
  (ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
  (decl.name && ts.isPrivateIdentifier(decl.name));

function kindOf(symbol) {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.ValueModule) return 'namespace';
  return 'const';
}

/** One line per export: `kind name: type` (classes: their public members, one line each). */
function describe(symbol, prefix) {
  const target = resolved(symbol);
  const kind = kindOf(target);
  const name = prefix + symbol.name;
  const decl = target.declarations?.[0];
  if (kind === 'namespace')
    return [`namespace ${name}`, ...checker.getExportsOfModule(target).flatMap((s) => describe(s, `${name}.`))];
  if (kind === 'interface' || kind === 'type') {
    const type = checker.getDeclaredTypeOfSymbol(target);
    const members = kind === 'interface' || type.getProperties().length ? checker.getPropertiesOfType(type) : [];
    // Unions, conditional and primitive-like aliases read best as their definition (InTypeAlias
    // spells it out instead of repeating the alias's own name).
    const asDefinition =
      type.isUnion() ||
      members.length === 0 ||
      type.flags & (ts.TypeFlags.Conditional | ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike);
    if (kind === 'type' && asDefinition)
      return [`type ${name} = ${checker.typeToString(type, undefined, FLAGS | ts.TypeFormatFlags.InTypeAlias)}`];
    return [
      `${kind} ${name}`,
      ...members.map(
        (m) =>
          `  ${m.name}${m.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${checker.typeToString(checker.getTypeOfSymbol(m), undefined, FLAGS)}`,
      ),
    ];
  }
  if (kind === 'class') {
    const lines = [`class ${name}`];
    const staticType = checker.getTypeOfSymbolAtLocation(target, decl);
    for (const sig of staticType.getConstructSignatures()) {
      if (!sig.declaration || !(isInternal(sig.declaration) || isPrivate(sig.declaration)))
        lines.push(`  constructor${checker.signatureToString(sig, undefined, FLAGS)}`);
    }
    for (const m of checker.getPropertiesOfType(staticType)) {
      const d = m.declarations?.[0];
      if (m.name === 'prototype' || (d && (isInternal(d) || isPrivate(d)))) continue;
      lines.push(`  static ${m.name}: ${checker.typeToString(checker.getTypeOfSymbol(m), undefined, FLAGS)}`);
    }
    for (const m of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))) {
      const d = m.declarations?.[0];
      if (d && (isInternal(d) || isPrivate(d))) continue;
      lines.push(`  ${m.name}: ${checker.typeToString(checker.getTypeOfSymbol(m), undefined, FLAGS)}`);
    }
    return lines;
  }
  return [
    `${kind} ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(target, decl), undefined, FLAGS)}`,
  ];
}

const exportsOf = (file) => {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${relative(root, file)}, an entry point in package.json's exports, does not exist`);
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source)).sort((a, b) => a.name.localeCompare(b.name));
};
const entryExports = entries.map((entry) => ({ ...entry, exports: exportsOf(entry.file) }));
// Well-known symbols are named by the checker with a counter (`__@asyncIterator@3135`) that
// shifts with any change to the program: they are written as `[Symbol.asyncIterator]`.
const report =
  entryExports
    .map(({ name, exports }) => [`# ${name}`, ...exports.flatMap((s) => describe(s, ''))].join('\n'))
    .join('\n\n')
    .replace(/__@(\w+)@\d+/g, '[Symbol.$1]') + '\n';
const exports = entryExports.flatMap((e) => e.exports);

// The named types of lib/ that public signatures reach, and whether the package exports them.
// What a user can name: the exports of any entry point, the members of exported namespaces, and
// the type an exported alias stands for.
const exported = new Set();
function addNameable(symbol) {
  const target = resolved(symbol);
  exported.add(target);
  if (kindOf(target) === 'namespace') checker.getExportsOfModule(target).forEach(addNameable);
  if (target.flags & ts.SymbolFlags.TypeAlias) {
    const aliased = checker.getDeclaredTypeOfSymbol(target);
    if (aliased.getSymbol()) exported.add(aliased.getSymbol());
  }
}
exports.forEach(addNameable);
const unexported = new Map(); // symbol → the export that names it
const seen = new Set();
function visitType(type, via, depth = 0) {
  if (!type || seen.has(type) || depth > 12) return;
  seen.add(type);
  const named = type.aliasSymbol ?? type.getSymbol();
  const decl = named?.declarations?.[0];
  if (named && decl && decl.getSourceFile().fileName.startsWith(lib) && !isInternal(decl)) {
    const isNamedType =
      named.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum);
    if (isNamedType && !exported.has(named) && !unexported.has(named)) unexported.set(named, via);
    // An alias's definition as written: normalising can erase a name from the type (`A & (B | C)`
    // distributes into a union in which the alias C no longer appears).
    if (
      named.flags & ts.SymbolFlags.TypeAlias &&
      ts.isTypeAliasDeclaration(decl) &&
      (ts.isUnionTypeNode(decl.type) || ts.isIntersectionTypeNode(decl.type))
    ) {
      const walk = (node) => {
        if (ts.isTypeReferenceNode(node)) {
          const symbol = checker.getSymbolAtLocation(node.typeName);
          if (symbol) visitType(checker.getDeclaredTypeOfSymbol(resolved(symbol)), via, depth + 1);
        }
        ts.forEachChild(node, walk);
      };
      walk(decl.type);
    }
  }
  if (type.isUnionOrIntersection()) for (const t of type.types) visitType(t, via, depth + 1);
  for (const t of type.aliasTypeArguments ?? []) visitType(t, via, depth + 1);
  for (const t of checker.getTypeArguments?.(type) ?? []) visitType(t, via, depth + 1);
  for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()])
    visitSignature(sig, via, depth + 1);
  // Members of our own object types (not of the standard library's).
  if (decl && decl.getSourceFile().fileName.startsWith(lib)) {
    for (const m of type.getProperties()) {
      const d = m.declarations?.[0];
      if (d && (isInternal(d) || isPrivate(d))) continue;
      visitType(checker.getTypeOfSymbol(m), via, depth + 1);
    }
  } else if (!decl && type.flags & ts.TypeFlags.Object) {
    for (const m of type.getProperties()) visitType(checker.getTypeOfSymbol(m), via, depth + 1);
  }
}
function visitSignature(sig, via, depth) {
  if (sig.declaration && (isInternal(sig.declaration) || isPrivate(sig.declaration))) return;
  for (const p of sig.getParameters()) visitType(checker.getTypeOfSymbol(p), via, depth);
  visitType(sig.getReturnType(), via, depth);
}
function visitExport(symbol, prefix) {
  const target = resolved(symbol);
  const via = prefix + symbol.name;
  if (kindOf(target) === 'namespace')
    return checker.getExportsOfModule(target).forEach((s) => visitExport(s, `${via}.`));
  const type =
    target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)
      ? checker.getDeclaredTypeOfSymbol(target)
      : checker.getTypeOfSymbolAtLocation(target, target.declarations?.[0]);
  seen.clear();
  visitType(type, via);
  if (target.flags & ts.SymbolFlags.Class) {
    seen.clear();
    visitType(checker.getDeclaredTypeOfSymbol(target), via);
  }
}
for (const s of exports) visitExport(s, '');
const missing = [...unexported].map(([symbol, via]) => {
  const file = relative(root, symbol.declarations[0].getSourceFile().fileName);
  return `unexported: ${symbol.name} (${file}), named by ${via}`;
});

const mode = process.argv[2];
if (missing.length) console.log(missing.join('\n'));
if (mode === '--write') {
  mkdirSync(dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, report);
  console.log(`${relative(root, reportFile)}: ${entries.length} entry points, ${exports.length} exports`);
} else if (mode === '--check') {
  const recorded = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
  if (recorded !== report) {
    const was = new Set(recorded.split('\n'));
    const now = new Set(report.split('\n'));
    for (const line of recorded.split('\n')) if (!now.has(line)) console.log(`- ${line}`);
    for (const line of report.split('\n')) if (!was.has(line)) console.log(`+ ${line}`);
    console.log(
      `the public API differs from ${relative(root, reportFile)}: if the change is meant, run npm run api:report and commit it`,
    );
  }
  process.exitCode = recorded !== report || missing.length ? 1 : 0;
} else {
  process.stdout.write(report);
}
