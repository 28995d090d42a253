// Debian's Python with torch, torchvision and numpy: the interop oracle.
// Called by path because the `python3` first on PATH may lack torch.
import { execFileSync } from 'node:child_process';

export const oraclePython = process.env.MVEB_PYTHON ?? '/usr/bin/python3';

/** Runs `code` with `args` as sys.argv[1:], returns stdout. Throws with stderr on failure. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(oraclePython, ['-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
