// Before a release (`npm run test:e2e`, not in CI: the compile takes about 2 minutes on 2 cores):
// where no prebuild fits, `npx mveb-torch build` compiles the addon inside the installed package
// and it runs. CI's part is test/install/packed-install.test.ts (the message, and the package
// configuring for this build).
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const project = tempDir(t, 'mveb-source-build-');
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.LIBTORCH;
delete env.Torch_DIR;
delete env.MVEB_ADDON;

function inProject(args: string[]): SpawnSyncReturns<string> {
  return spawnSync('npx', ['mveb-torch', ...args], { cwd: project, env, encoding: 'utf8', timeout: 900_000 });
}

t.before(() => {
  execFileSync('npm', ['run', '--silent', 'pack', '--', '--no-build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  // The main package alone: as on a platform no prebuild is made for.
  const installed = spawnSync(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(root, 'out', 'npm', 'mveb-torch-0.1.0.tgz'),
    ],
    {
      cwd: project,
      env,
      encoding: 'utf8',
    },
  );
  if (installed.status !== 0) throw new Error(`npm install failed: ${installed.stderr}`);
});

t.test('no prebuild: one line and exit 1; `mveb-torch build` compiles an addon that trains', async (t) => {
  const refused = inProject(['info']);
  t.equal(refused.status, 1);
  t.match(refused.stderr, /installed prebuilds: none .* npx mveb-torch build/);
  const build = inProject(['build', '--jobs', '2']);
  t.equal(build.status, 0, build.stdout.slice(-3000) + build.stderr.slice(-3000));
  t.match(build.stdout, /compiling against LibTorch \d+\.\d+\.\d+ \(CPU, C\+\+11 ABI\) from system/);
  t.match(build.stdout, /the addon goes to .*node_modules\/mveb-torch\/build-cmake\/Release\/mveb_native\.node/);
  const info = inProject(['info', '--json']);
  t.equal(info.status, 0, info.stderr);
  t.equal(JSON.parse(info.stdout).build.origin.kind, 'local');
  const train = inProject(['train', '--preset', 'demo', '--max-steps', '2', '--knn-every', '0', '--name', 'local']);
  t.equal(train.status, 0, train.stderr);
  t.match(train.stdout, /reached max-steps at step 2/);
});
