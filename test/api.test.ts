// The public API is deliberate: api/mveb-torch.api.txt records every export of each entry point with
// its type (scripts/api-report.mjs, through the TypeScript checker), so that any change to it is
// a visible diff; and no public signature names a type the package does not export.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';

t.test('the API report is current, and every type a public signature names is exported', async (t) => {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'api-report.mjs'), '--check'], {
    encoding: 'utf8',
  });
  t.equal(result.status, 0, result.stdout + result.stderr);
  t.notMatch(result.stdout, /^unexported: /m);
});

t.test("the README's code imports only what its entry points export", async (t) => {
  const report = readFileSync(join(root, 'api', 'mveb-torch.api.txt'), 'utf8');
  // Each heading `# ENTRY` followed by its exports' lines `kind NAME…`.
  const exported = new Map<string, Set<string>>();
  for (const section of report.split(/^# /m).slice(1)) {
    const [entry, ...lines] = section.split('\n');
    exported.set(
      entry!,
      new Set(
        lines
          .map((l) => /^(?:class|function|interface|type|const|namespace) (\w+)/.exec(l)?.[1])
          .filter((n): n is string => !!n),
      ),
    );
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const imports = [...readme.matchAll(/import \{([^}]*)\} from '(mveb-torch[^']*)'/g)];
  const dynamic = [...readme.matchAll(/import\('(mveb-torch[^']*)'\)\.then\(async \(\{([^}]*)\}\)/g)].map(
    (m) => [m[0], m[2], m[1]] as const,
  );
  t.ok(imports.length >= 8, `${imports.length} imports in the README`);
  for (const [statement, names, entry] of [...imports.map((m) => [m[0], m[1]!, m[2]!] as const), ...dynamic]) {
    const known = exported.get(entry!);
    t.ok(known, `${entry} is an entry point (${statement})`);
    for (const name of names!
      .split(',')
      .map((n) => n.trim().replace(/^type /, ''))
      .filter(Boolean)) {
      t.ok(known?.has(name), `${entry} exports ${name}`);
    }
  }
  for (const m of readme.matchAll(/import \* as \w+ from '(mveb-torch[^']*)'/g))
    t.ok(exported.has(m[1]!), `${m[1]} is an entry point`);
});
