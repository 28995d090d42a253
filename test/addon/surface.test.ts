// The addon's surface, as native/addon.cc's define* calls make it, equals what lib/native.ts
// declares: every function, namespace, class, static and instance member on one side is on the
// other. lib/native.ts is typed by hand, so without this a define* added, renamed or removed in
// C++ drifts from the types silently. Classes are the keys named Native*: a class's statics are
// the members of its declared type, its instance members those of the interface of the same name.
import { join } from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { native } from '../../lib/native.js';
import { root } from '../helpers/paths.js';

const isClass = (name: string) => /^Native[A-Z]/.test(name);

/** 'ops.steinScore', 'NativeTensor.fromTypedArray' (static), 'NativeTensor#shape' (instance), … */
function runtimeSurface(value: Record<string, unknown>, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, member] of Object.entries(value)) {
    const path = prefix + name;
    if (typeof member === 'function' && isClass(name)) {
      paths.push(path);
      const own = (o: object) => Object.getOwnPropertyNames(o);
      const functionOwn = new Set(
        own(() => {}).concat(
          own(function named() {}),
          'arguments',
          'caller',
          'prototype',
        ),
      );
      for (const key of own(member)) if (!functionOwn.has(key)) paths.push(`${path}.${key}`);
      for (const key of own(member.prototype)) if (key !== 'constructor') paths.push(`${path}#${key}`);
    } else if (typeof member === 'function') {
      paths.push(path);
    } else if (member && typeof member === 'object') {
      paths.push(path, ...runtimeSurface(member as Record<string, unknown>, `${path}.`));
    } else {
      paths.push(`${path} (${typeof member})`);
    }
  }
  return paths;
}

function declaredSurface(): string[] {
  const file = join(root, 'lib', 'native.ts');
  const program = ts.createProgram([file], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const interfaces = new Map<string, ts.Type>();
  ts.forEachChild(source, (node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, checker.getTypeAtLocation(node.name));
  });
  const members = (type: ts.Type) =>
    checker.getPropertiesOfType(type).map((p) => ({ name: p.name, type: checker.getTypeOfSymbol(p) }));
  const walk = (type: ts.Type, prefix: string): string[] =>
    members(type).flatMap(({ name, type: member }) => {
      const path = prefix + name;
      if (isClass(name)) {
        const instance = interfaces.get(name);
        if (!instance) return [`${path} (a Native* member without an interface ${name} for its instances)`];
        return [
          path,
          ...members(member).map((m) => `${path}.${m.name}`),
          ...members(instance).map((m) => `${path}#${m.name}`),
        ];
      }
      if (member.getCallSignatures().length > 0) return [path];
      if (member.getProperties().length > 0) return [path, ...walk(member, `${path}.`)];
      return [`${path} (${checker.typeToString(member)})`];
    });
  const addon = interfaces.get('NativeAddon');
  if (!addon) throw new Error('lib/native.ts declares no NativeAddon interface');
  return walk(addon, '');
}

t.test(
  'the addon exports exactly what lib/native.ts declares (functions, namespaces, classes and their members)',
  async (t) => {
    const runtime = runtimeSurface(native() as unknown as Record<string, unknown>).sort();
    const declared = declaredSurface().sort();
    t.ok(runtime.length > 40, `${runtime.length} members found at run time`);
    t.same(
      runtime.filter((p) => !declared.includes(p)),
      [],
      'exported by the addon but not declared in lib/native.ts',
    );
    t.same(
      declared.filter((p) => !runtime.includes(p)),
      [],
      'declared in lib/native.ts but not exported by the addon',
    );
  },
);
