// The run report: written at every checkpoint of a real (small) run, every chart drawn,
// report.html rendered by headless Chromium (Debian's) and report.png not blank.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { writeReport } from '../../lib/report/report.js';
import { cli } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { modelFlags } from '../helpers/runs.js';
import { chromium, withoutChromium } from '../helpers/requirements.js';

const browse = (args: string[]) =>
  execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });

/** Whether an image has content: the standard deviation of its pixels, over all channels. */
async function spread(png: string | Buffer): Promise<number> {
  const stats = await sharp(png).removeAlpha().stats();
  return Math.max(...stats.channels.map((c) => c.stdev));
}

t.test(
  'a run writes report.html and report.png with every chart; Chromium renders it',
  { skip: withoutChromium() },
  async (t) => {
    const output = tempDir(t);
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'train',
        ...modelFlags,
        '--data',
        'synthetic:128',
        '--val',
        'synthetic:64',
        '--batch-size',
        '16',
        '--epochs',
        '2',
        '--log-every',
        '1',
        '--knn-every',
        '1',
        '--knn-k',
        '5',
        '--output',
        output,
        '--name',
        'r',
      ],
      { encoding: 'utf8' },
    );
    t.equal(run.status, 0, run.stderr);
    const dir = join(output, 'r');
    t.match(run.stdout, new RegExp(`report: ${join(dir, 'report.html').replace(/[.]/g, '\\.')}\\n$`));
    t.ok(existsSync(join(dir, 'report.png')));

    const files = await writeReport(dir);
    t.same(files.charts, [
      'Loss (−alignment − β·U)',
      "MVEB's terms",
      'Learning rate and EMA momentum',
      'kNN accuracy, with the baselines',
      'Linear-probe accuracy, with the baselines',
      'Alignment and uniformity (Wang & Isola), end of each epoch',
      'Embedding health: per-dimension std (collapse: → 0)',
      'Embedding health: effective rank',
      'Throughput',
    ]);
    const html = readFileSync(files.html, 'utf8');
    t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no script, nothing fetched');

    const dom = browse(['--dump-dom', `file://${files.html}`]);
    for (const title of files.charts)
      t.ok(
        dom.includes(`>${title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}<`) || dom.includes(title),
        `Chromium has the chart “${title}”`,
      );
    t.equal((dom.match(/<svg/g) ?? []).length, files.charts.length, 'one drawing per chart');
    const shot = join(dir, 'shot.png');
    browse([`--screenshot=${shot}`, '--window-size=1000,1200', `file://${files.html}`]);
    t.ok((await spread(shot)) > 20, 'the rendered page is not blank');

    const png = await sharp(files.png).metadata();
    t.ok(
      png.width! > 800 && png.height! > 9 * 250,
      `report.png ${png.width}×${png.height}: nine charts one under another`,
    );
    t.ok((await spread(files.png)) > 20, 'report.png is not uniform');
  },
);

t.test('a metrics line cut short by a crash is skipped; a directory that is not a run is refused', async (t) => {
  const dir = tempDir(t);
  const output = tempDir(t);
  const run = spawnSync(
    process.execPath,
    [
      cli,
      'train',
      ...modelFlags,
      '--data',
      'synthetic',
      '--batch-size',
      '16',
      '--log-every',
      '1',
      '--max-steps',
      '3',
      '--knn-every',
      '0',
      '--output',
      output,
      '--name',
      'x',
    ],
    { encoding: 'utf8' },
  );
  t.equal(run.status, 0, run.stderr);
  appendFileSync(join(output, 'x', 'metrics.jsonl'), '{"type":"step","step":4,"lo');
  const report = spawnSync(process.execPath, [cli, 'report', join(output, 'x')], { encoding: 'utf8' });
  t.equal(report.status, 0, report.stderr);
  t.match(report.stdout, /report\.png \(4 charts: Loss/);
  const refused = spawnSync(process.execPath, [cli, 'report', dir], { encoding: 'utf8' });
  t.equal(refused.status, 1);
  t.match(refused.stderr, /^report: .* is not a run directory \(no config\.yaml\)\n$/);
});
