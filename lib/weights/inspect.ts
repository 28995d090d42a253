// `mveb-torch inspect`: what a weights file is, without loading it into a model.
import { isResNet } from './architecture.js';
import { parameterCount } from './export.js';
import { FORMAT_NAMES, readWeights, type BranchWeights, type WeightsFile } from './read.js';

export interface BranchSummary {
  backboneParameters: number;
  projectorParameters: number;
  /** Projector widths in → hidden → out, when there is one. */
  projector?: [number, number, number];
}

export interface WeightsSummary {
  path: string;
  format: WeightsFile['format'];
  formatName: string;
  arch: WeightsFile['arch'];
  smallStem: boolean;
  imageSize?: number;
  branches: { online: BranchSummary; target?: BranchSummary };
  epoch?: number;
  step?: number;
  config?: Record<string, unknown>;
  ignored: string[];
}

function branchSummary(branch: BranchWeights): BranchSummary {
  const first = branch.projector['0.weight']?.shape;
  const last = branch.projector['6.weight']?.shape;
  return {
    backboneParameters: parameterCount(branch.backbone),
    projectorParameters: parameterCount(branch.projector),
    ...(first && last && { projector: [first[1]!, first[0]!, last[0]!] as [number, number, number] }),
  };
}

export async function inspectWeights(path: string): Promise<WeightsSummary> {
  const w = await readWeights(path, 'inspect');
  return {
    path: w.path,
    format: w.format,
    formatName: FORMAT_NAMES[w.format],
    arch: w.arch,
    smallStem: w.smallStem,
    ...(w.imageSize !== undefined && { imageSize: w.imageSize }),
    branches: { online: branchSummary(w.online), ...(w.target && { target: branchSummary(w.target) }) },
    ...(w.epoch !== undefined && { epoch: w.epoch }),
    ...(w.step !== undefined && { step: w.step }),
    ...(w.config && { config: w.config }),
    ignored: w.ignored,
  };
}

function millions(n: number): string {
  return `${(n / 1e6).toFixed(2)}M`;
}

export function formatSummary(s: WeightsSummary): string {
  const arch = `${s.arch}${isResNet(s.arch) && s.smallStem ? ' (small-image stem)' : ''}${s.imageSize ? ` (${s.imageSize}-px position embeddings)` : ''}`;
  const branch = (name: string, b: BranchSummary) =>
    `${name.padEnd(8)} backbone ${millions(b.backboneParameters)} parameters` +
    (b.projector ? `, projector ${b.projector.join('→')} (${millions(b.projectorParameters)})` : ', no projector');
  const lines = [
    `file     ${s.path}`,
    `format   ${s.formatName}`,
    `arch     ${arch}`,
    branch('online', s.branches.online),
  ];
  if (s.branches.target) lines.push(branch('target', s.branches.target));
  if (s.epoch !== undefined || s.step !== undefined)
    lines.push(`position epoch ${s.epoch ?? '?'}, step ${s.step ?? '?'}`);
  if (s.config)
    lines.push(
      `run      ${['data', 'epochs', 'batchSize', 'optimizer', 'beta'].map((k) => `${k} ${JSON.stringify(s.config![k])}`).join(', ')}`,
    );
  if (s.ignored.length > 0)
    lines.push(
      `unused   ${s.ignored.slice(0, 8).join(', ')}${s.ignored.length > 8 ? `, … (${s.ignored.length} in all)` : ''}`,
    );
  return lines.join('\n');
}
