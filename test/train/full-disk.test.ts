// A real full disk (a small tmpfs): the run refuses to start with one line, or fails a checkpoint
// with one line while the previous checkpoint stays whole; no partial file, no 0-byte config.yaml.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { snapshot, tinyFlags, train } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

// Mounting needs root, as CI and the development machines run.
const mountable =
  process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0 ? false : 'mounting a tmpfs needs root';

function smallDisk(t: Test, bytes: number): string {
  const dir = tempDir(t);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount: ${mounted.stderr}`);
  t.teardown(() => void spawnSync('umount', [dir]));
  return dir;
}

t.test(
  '7. a full disk: one line; the last checkpoint kept; no partial file, no 0-byte config.yaml',
  { skip: mountable },
  async (t) => {
    // Full before the run starts: nothing is left behind.
    const full = smallDisk(t, 64 * 1024);
    const filler = spawnSync('dd', ['if=/dev/zero', `of=${join(full, 'filler')}`, 'bs=4096'], { encoding: 'utf8' });
    t.not(filler.status, 0, 'the disk is full');
    const noRoom = train([...tinyFlags, '--output', full, '--name', 'r', '--max-steps', '1']);
    t.equal(noRoom.status, 1);
    t.equal(noRoom.stderr, `cannot write the lock file ${full}/r/run.lock: no space left on device (ENOSPC)\n`);
    t.same(readdirSync(full), ['filler'], 'no run directory, no config.yaml');

    // Room for one checkpoint, not two: the second fails whole.
    const disk = smallDisk(t, 200 * 1024 * 1024);
    const first = train([...tinyFlags, '--output', disk, '--name', 'r', '--max-steps', '2', '--quiet']);
    t.equal(first.status, 0, first.stderr);
    const run = join(disk, 'r');
    const before = snapshot(run);
    const second = train(['--resume', run, '--max-steps', '4', '--quiet']);
    t.equal(second.status, 1);
    t.match(
      second.stderr,
      new RegExp(
        `^checkpoint at step 4 not written: cannot write '${run}/checkpoint-e0000-s00000004\\.pth\\.tmp-\\d+': No space left on device; the previous checkpoint is kept\n$`,
      ),
    );
    t.same(Object.keys(snapshot(run)), Object.keys(before), 'no temporary or partial checkpoint, no lock left');
    t.equal(
      snapshot(run)['checkpoint-e0000-s00000002.pth'],
      before['checkpoint-e0000-s00000002.pth'],
      'the last checkpoint is untouched',
    );
    t.equal((await loadCheckpoint(run)).step, 2);
  },
);
