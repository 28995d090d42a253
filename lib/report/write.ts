// The report's entry point, loading Vega (≈ 0.3 s) only when a report is drawn: every CLI
// start and every `import 'mveb-torch'` would pay for it otherwise.
import type { ReportFiles } from './report.js';

export type { ReportFiles } from './report.js';

/** Writes report.html and report.png of a run directory from its config.yaml and metrics.jsonl. */
export async function writeReport(runDir: string): Promise<ReportFiles> {
  return (await import('./report.js')).writeReport(runDir);
}
