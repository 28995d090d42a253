// `mveb-torch data`: a run over a folder with planted corrupt files finishes and reports
// them; a bad path is refused with one clear line.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { makePhotoFolder } from '../bench/data/photo-folder.mjs';
import { cli } from './helpers/paths.js';
import { tempDir } from './helpers/tmp.js';

t.test('an epoch over a folder with corrupt files completes and names them', async (t) => {
  const dir = await makePhotoFolder(tempDir(t), { perClass: 2, corrupt: true });
  const run = spawnSync(
    process.execPath,
    [cli, 'data', dir, '--batch-size', '4', '--workers', '2', '--global-size', '64', '--local-size', '32'],
    {
      encoding: 'utf8',
    },
  );
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /ImageFolder .*: 19 images in 8 classes; 8 views per image, 2 workers/);
  t.match(run.stdout, /epoch 0: 16 images in [\d.]+ s \([\d.]+ images\/s, [\d.]+ per worker\), 3 skipped/);
  for (const name of ['truncated.jpg', 'not-an-image.jpg', 'empty.png'])
    t.match(run.stdout, new RegExp(`astronaut/${name.replace('.', '\\.')} \\(`));
  t.match(run.stdout, /truncated\.jpg \([^)\n]*premature end of JPEG image\)/);

  const json = spawnSync(
    process.execPath,
    [cli, 'data', dir, '--batch-size', '4', '--global-size', '64', '--local-size', '32', '--json'],
    {
      encoding: 'utf8',
    },
  );
  const report = JSON.parse(json.stdout.trim());
  t.match(report, { epoch: 0, images: 16, skipped: 3 });
  t.equal(report.skippedExamples.length, 3);
});

t.test('a path that does not exist is refused before any work, without a stack trace', async (t) => {
  const run = spawnSync(process.execPath, [cli, 'data', '/nonexistent/images'], { encoding: 'utf8' });
  t.equal(run.status, 1);
  t.equal(run.stderr.trim(), 'data path does not exist: /nonexistent/images');
});
