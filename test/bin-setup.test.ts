// The bin installs nothing behind the user's back: in a fresh clone, `node bin/mveb-torch.js info`
// says in one line how to set the checkout up and calls no apt-get, sudo or npm (stand-ins on
// PATH record any call and fail); in a checkout that is set up it runs the command and calls
// none of them either. Only `npm start` and `npm test` set a checkout up; a bench script asks.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

/** A PATH whose apt-get, apt, sudo, npm and npx write to `calls` and fail, ahead of the real one. */
function standIns(dir: string): { env: NodeJS.ProcessEnv; calls: string } {
  const bin = join(dir, 'stand-ins');
  const calls = join(dir, 'calls.log');
  mkdirSync(bin);
  for (const name of ['apt-get', 'apt', 'sudo', 'npm', 'npx', 'dpkg']) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nexit 1\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  delete env.npm_lifecycle_event;
  delete env.MVEB_ADDON;
  return { env, calls };
}

t.test('a fresh clone: `info` says how to set up, in one line, and calls no apt-get, sudo or npm', async (t) => {
  // What a fresh clone holds of the bin's path: this tree's bin/ and scripts/, a .git, no build.
  const dir = tempDir(t);
  const clone = join(dir, 'clone');
  for (const part of ['bin', 'scripts', 'package.json', 'package-lock.json'])
    cpSync(join(root, part), join(clone, part), { recursive: true });
  mkdirSync(join(clone, '.git'));
  const { env, calls } = standIns(dir);
  const result = spawnSync(process.execPath, [join(clone, 'bin', 'mveb-torch.js'), 'info'], {
    cwd: clone,
    env,
    encoding: 'utf8',
  });
  t.equal(result.status, 1);
  t.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.match(
    result.stderr,
    /this checkout is not set up yet .*run `npm run setup` \(it installs system packages with apt-get/,
  );
  t.notOk(existsSync(calls), existsSync(calls) ? readFileSync(calls, 'utf8') : 'no stand-in was called');
  t.notOk(existsSync(join(clone, 'node_modules')), 'nothing was installed');
});

t.test('a checkout that is set up: `info` runs, and calls none of them', async (t) => {
  const { env, calls } = standIns(tempDir(t));
  const result = spawnSync(process.execPath, [join(root, 'bin', 'mveb-torch.js'), 'info', '--json'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  t.equal(result.status, 0, result.stderr);
  t.equal(JSON.parse(result.stdout).build.origin.kind, 'local');
  t.notOk(existsSync(calls), existsSync(calls) ? readFileSync(calls, 'utf8') : 'no stand-in was called');
});

t.test(
  'a fresh clone: a bench script asks before setting up; without a terminal it names npm run setup and installs nothing',
  async (t) => {
    const dir = tempDir(t);
    const clone = join(dir, 'clone');
    for (const part of ['bin', 'scripts', 'package.json', 'package-lock.json'])
      cpSync(join(root, part), join(clone, part), { recursive: true });
    mkdirSync(join(clone, '.git'));
    const { env, calls } = standIns(dir);
    const result = spawnSync(process.execPath, [join(clone, 'scripts', 'ensure-setup.mjs')], {
      cwd: clone,
      env: { ...env, npm_lifecycle_event: 'bench:stein' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.equal(result.status, 1);
    t.equal(
      result.stderr,
      'mveb-torch: this checkout is not set up yet: run `npm run setup` (it installs system packages with apt-get), then this again\n',
    );
    t.notOk(existsSync(calls), existsSync(calls) ? readFileSync(calls, 'utf8') : 'no stand-in was called');
  },
);

t.test('npm test, npm start and their variants set a checkout up by contract; nothing else does', async (t) => {
  const { setsUpByContract } = (await import(join(root, 'scripts', 'ensure-setup.mjs'))) as {
    setsUpByContract: (event: string) => boolean;
  };
  for (const event of ['test', 'pretest', 'start', 'test:e2e', 'test:torch2', 'test:release'])
    t.ok(setsUpByContract(event), event);
  for (const event of ['', 'bench:stein', 'bench', 'setup', 'testing', 'build'])
    t.notOk(setsUpByContract(event), event || '(none)');
});
