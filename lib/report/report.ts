// `mveb-torch report <run-dir>`: report.html (self-contained: inline SVG, no script, no
// network) and report.png in the run directory, from config.yaml and metrics.jsonl. The
// trainer writes both at every checkpoint.
import { basename, join } from 'node:path';
import { writeFileAtomically } from '../atomic-file.js';
import { reportCharts } from './charts.js';
import { pngOf, svgOf } from './render.js';
import { readRunRecords, type RunRecords } from './run-records.js';

export interface ReportFiles {
  html: string;
  png: string;
  charts: string[];
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function summary(run: RunRecords): string[] {
  const c = run.config;
  const lastStep = run.steps[run.steps.length - 1];
  const percent = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)} %`);
  const rows = [
    [
      'recipe',
      `${c['arch']} on ${c['data']}, ${c['epochs']} epochs of batch ${c['batchSize']}, ${c['optimizer']} lr ${c['baseLr']}, β ${c['beta']}`,
    ],
    [
      'progress',
      lastStep
        ? `step ${lastStep.step}, epoch ${lastStep.epoch + 1}, loss ${lastStep.loss.toFixed(4)}`
        : 'no step logged yet',
    ],
  ];
  for (const [name, scores] of [
    ['kNN', run.knn],
    ['linear probe', run.linear],
  ] as const) {
    const last = scores[scores.length - 1];
    if (last)
      rows.push([
        name,
        `pretrained ${percent(last.accuracy)} · at initialisation ${percent(last.baseline?.initialisation)} · raw pixels ${percent(last.baseline?.rawPixels)}`,
      ]);
  }
  return rows.map(([k, v]) => `<tr><th>${escape(k!)}</th><td>${escape(v!)}</td></tr>`);
}

export async function writeReport(dir: string): Promise<ReportFiles> {
  const run = await readRunRecords(dir);
  const charts = reportCharts(run);
  const figures = await Promise.all(charts.map(async (c) => `<figure>${await svgOf(c)}</figure>`));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(basename(dir))} — mveb-torch report</title>
<style>body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-bottom:16px}
th{text-align:left;padding:2px 12px 2px 0;color:#555;font-weight:normal}figure{margin:8px 0}</style></head>
<body><h1>${escape(basename(dir))}</h1><table>${summary(run).join('')}</table>
${figures.length ? figures.join('\n') : '<p>Nothing logged yet.</p>'}
</body></html>\n`;
  const files = {
    html: join(dir, 'report.html'),
    png: join(dir, 'report.png'),
    charts: charts.map((c) => String(c['title'])),
  };
  await writeFileAtomically(files.html, html);
  if (charts.length) await writeFileAtomically(files.png, await pngOf(charts));
  return files;
}
