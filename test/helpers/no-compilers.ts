// A user's machine without a compiler: PATH with every program of this one except the compilers
// and build tools, so that an install that tried to compile would fail.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const COMPILERS = /^(cc|c\+\+|gcc|g\+\+|cmake|make|ninja|clang(\+\+)?|nvcc)(-[\d.]+)?$|^x86_64-linux-gnu-(gcc|g\+\+)/;

/** Fills `dir` with links to every program on PATH but the compilers; returns it, to use as PATH. */
export function pathWithoutCompilers(dir: string): string {
  mkdirSync(dir);
  for (const from of (process.env.PATH ?? '').split(delimiter)) {
    if (!from || !existsSync(from)) continue;
    for (const name of readdirSync(from)) {
      if (COMPILERS.test(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}

/** The environment of a user's shell without compilers, and without the variables that pick an addon or a LibTorch. */
export function userEnvironment(pathDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutCompilers(pathDir) };
  for (const name of ['LIBTORCH', 'Torch_DIR', 'MVEB_ADDON', 'MVEB_PYTHON']) delete env[name];
  return env;
}
