// Before a release: the node-gyp flavour (the same C++ sources, CPU) builds and passes the
// checks the cmake-js build passes in CI. Not in CI: its serial compile takes ~2.5 minutes.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { checkBuild } from '../helpers/build-check.js';
import { root } from '../helpers/paths.js';

execFileSync('npm', ['run', '--silent', 'build:gyp'], { cwd: root, stdio: 'inherit' });
checkBuild('node-gyp', join(root, 'build', 'Release', 'mveb_native.node'));
