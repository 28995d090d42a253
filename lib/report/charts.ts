// The report's charts as Vega-Lite specifications: loss; alignment and uniformity; learning rate
// and EMA momentum; kNN and linear accuracy with the baselines as rules; embedding health;
// throughput. Each chart is one entry of a vertical concatenation.
import type { RunRecords } from './run-records.js';

type Spec = Record<string, unknown>;

const width = 520;
const height = 160;

function xAxis(x: string): Spec {
  return { field: x, type: 'quantitative', title: x, axis: { tickMinStep: 1, format: 'd' } };
}

function lines(
  title: string,
  values: Array<Record<string, unknown>>,
  x: string,
  y: string,
  options: { yTitle?: string; series?: string } = {},
): Spec {
  return {
    title,
    width,
    height,
    data: { values },
    mark: { type: 'line', clip: true, ...(values.length < 30 && { point: true }) },
    encoding: {
      x: xAxis(x),
      y: { field: y, type: 'quantitative', title: options.yTitle ?? y, scale: { zero: false } },
      ...(options.series && { color: { field: options.series, type: 'nominal', title: null } }),
    },
  };
}

/** Two quantities of different scales over the same x: one axis each, left and right. */
function twoAxes(
  title: string,
  values: Array<Record<string, unknown>>,
  x: string,
  left: [string, string, boolean?],
  right: [string, string, boolean?],
): Spec {
  const layer = ([field, name, log]: [string, string, boolean?], colour: string) => ({
    mark: { type: 'line', clip: true, color: colour, ...(values.length < 30 && { point: { color: colour } }) },
    encoding: {
      x: xAxis(x),
      y: {
        field,
        type: 'quantitative',
        title: name,
        axis: { titleColor: colour },
        scale: log ? { type: 'log' } : { zero: false },
      },
    },
  });
  return {
    title,
    width,
    height,
    data: { values },
    layer: [layer(left, '#1f77b4'), layer(right, '#ff7f0e')],
    resolve: { scale: { y: 'independent' } },
  };
}

function long(
  records: Array<Record<string, unknown>>,
  x: string,
  fields: Record<string, string>,
): Array<Record<string, unknown>> {
  return records.flatMap((r) =>
    Object.entries(fields)
      .filter(([field]) => typeof r[field] === 'number' && Number.isFinite(r[field]))
      .map(([field, name]) => ({ [x]: r[x], series: name, value: r[field] })),
  );
}

function accuracyChart(title: string, scores: RunRecords['knn']): Spec | undefined {
  if (scores.length === 0) return undefined;
  const last = scores[scores.length - 1]!.baseline ?? {};
  const rules = [
    ...(last.rawPixels !== undefined ? [{ baseline: 'raw pixels', accuracy: last.rawPixels }] : []),
    ...(last.initialisation !== undefined ? [{ baseline: 'at initialisation', accuracy: last.initialisation }] : []),
  ];
  const points = scores.map((s) => ({ epoch: s.epoch + 1, accuracy: s.accuracy, baseline: 'pretrained' }));
  const scale = { domain: ['pretrained', 'raw pixels', 'at initialisation'], range: ['#1f77b4', '#d62728', '#7f7f7f'] };
  return {
    title,
    width,
    height,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: xAxis('epoch'),
          y: { field: 'accuracy', type: 'quantitative', title: 'top-1', axis: { format: '%' }, scale: { zero: false } },
          color: { field: 'baseline', type: 'nominal', title: null, scale },
        },
      },
      ...(rules.length
        ? [
            {
              data: { values: rules },
              mark: { type: 'rule', strokeDash: [6, 4] },
              encoding: {
                y: { field: 'accuracy', type: 'quantitative' },
                color: { field: 'baseline', type: 'nominal', scale },
              },
            },
          ]
        : []),
    ],
  };
}

/** The charts this run has data for, titled; empty when it recorded nothing yet. */
export function reportCharts(run: RunRecords): Spec[] {
  const steps = run.steps as unknown as Array<Record<string, unknown>>;
  const charts: Array<Spec | undefined> = [];
  if (steps.length) {
    charts.push(lines('Loss (−alignment − β·U)', steps, 'step', 'loss'));
    charts.push(
      twoAxes(
        "MVEB's terms",
        steps,
        'step',
        ['alignment', 'alignment (mean cosine of positives)'],
        ['uniformity', 'entropy term U (Stein)'],
      ),
    );
    charts.push(
      twoAxes(
        'Learning rate and EMA momentum',
        steps,
        'step',
        ['lr', 'learning rate', true],
        ['emaMomentum', 'EMA momentum'],
      ),
    );
  }
  charts.push(accuracyChart('kNN accuracy, with the baselines', run.knn));
  charts.push(accuracyChart('Linear-probe accuracy, with the baselines', run.linear));
  const health = run.epochs.filter((e) => e.health).map((e) => ({ epoch: e.epoch + 1, ...e.health }));
  if (health.length) {
    charts.push(
      twoAxes(
        'Alignment and uniformity (Wang & Isola), end of each epoch',
        health,
        'epoch',
        ['alignment', 'alignment E‖z1 − z2‖²'],
        ['uniformity', 'uniformity log E e^(−2‖zi − zj‖²)'],
      ),
    );
    charts.push(
      lines(
        'Embedding health: per-dimension std (collapse: → 0)',
        long(health, 'epoch', { stdMean: 'mean', stdMin: 'smallest' }),
        'epoch',
        'value',
        { series: 'series', yTitle: 'std' },
      ),
    );
    charts.push(
      lines('Embedding health: effective rank', health, 'epoch', 'effectiveRank', { yTitle: 'effective rank' }),
    );
  }
  if (steps.length) charts.push(lines('Throughput', steps, 'step', 'imagesPerSecond', { yTitle: 'images/s' }));
  return charts.filter((c): c is Spec => c !== undefined);
}
