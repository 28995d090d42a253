// Starting a model from a weights file (`train --init-from`): the file's online branch into the
// online branch, its target (or, without one, the online weights again) into the EMA target.
// A projector of other widths than the run's is left at its initialisation, and said so.
import { InputError } from '../errors.js';
import type { StateDict } from '../pth.js';
import type { Model } from '../models.js';
import type { Architecture } from '../model-options.js';
import { FORMAT_NAMES, type BranchWeights, type WeightsFile } from './read.js';

export interface InitialModel {
  arch: Architecture;
  smallStem: boolean;
  projector: { hidden: number; out: number };
}

export interface InitReport {
  path: string;
  format: WeightsFile['format'];
  /** What was loaded, e.g. 'online backbone (122 tensors)'. */
  loaded: string[];
  /** What the file holds that was not used, and why where it matters. */
  ignored: string[];
}

// mveb-torch's ViTs learn position embeddings for 224-px images (others are interpolated).
const vitImageSize = 224;

/** Refuses, naming the flag to change, a file whose backbone is not the run's. */
export function refuseMisfit(weights: WeightsFile, run: InitialModel, purpose: string): void {
  const what = `${purpose}: ${weights.path} (${FORMAT_NAMES[weights.format]}) holds`;
  if (weights.arch !== run.arch)
    throw new InputError(
      `${what} a ${weights.arch} backbone; this run builds a ${run.arch} (set --arch ${weights.arch})`,
    );
  if (weights.smallStem !== run.smallStem) {
    throw new InputError(
      `${what} a ResNet ${weights.smallStem ? 'with' : 'without'} the small-image stem; this run's --small-stem is ${run.smallStem}`,
    );
  }
  if (weights.imageSize !== undefined && weights.imageSize !== vitImageSize) {
    throw new InputError(
      `${what} position embeddings for ${weights.imageSize}-px images; mveb-torch's ViTs learn them for ${vitImageSize} px`,
    );
  }
}

function projectorFits(projector: StateDict, run: InitialModel): boolean {
  const first = projector['0.weight']?.shape;
  const last = projector['6.weight']?.shape;
  return first?.[0] === run.projector.hidden && last?.[0] === run.projector.out && last?.[1] === run.projector.hidden;
}

function prefixed(into: StateDict, prefix: string, tensors: StateDict): void {
  for (const [key, tensor] of Object.entries(tensors)) into[`${prefix}${key}`] = tensor;
}

export async function initializeModel(
  model: Model,
  weights: WeightsFile,
  run: InitialModel,
  hasTarget: boolean,
): Promise<InitReport> {
  refuseMisfit(weights, run, 'init-from');
  const loaded: string[] = [];
  const ignored = [...weights.ignored];
  const state: StateDict = {};
  const place = (into: 'online' | 'target', from: BranchWeights, label: string) => {
    prefixed(state, `${into}.backbone.`, from.backbone);
    loaded.push(`${into} backbone${label} (${Object.keys(from.backbone).length} tensors)`);
    const count = Object.keys(from.projector).length;
    if (count === 0) return;
    if (projectorFits(from.projector, run)) {
      prefixed(state, `${into}.projector.`, from.projector);
      loaded.push(`${into} projector${label} (${count} tensors)`);
    } else if (into === 'online') {
      const hidden = from.projector['0.weight']?.shape[0];
      const out = from.projector['6.weight']?.shape[0];
      ignored.push(`the projector (${hidden}→${out} wide; this run's is ${run.projector.hidden}→${run.projector.out})`);
    }
  };
  place('online', weights.online, '');
  if (hasTarget) place('target', weights.target ?? weights.online, weights.target ? '' : ' from the online weights');
  else if (weights.target) ignored.push("the target branch (this run's target is the online branch)");
  const report = await model.loadStateDict(state, { part: 'model', strict: false });
  const missingBackbone = report.missing.filter((k) => k.includes('.backbone.'));
  if (missingBackbone.length > 0) {
    throw new InputError(
      `init-from: ${weights.path} lacks ${missingBackbone.length} backbone tensors, e.g. ${missingBackbone.slice(0, 3).join(', ')}`,
    );
  }
  ignored.push(...report.unexpected);
  return { path: weights.path, format: weights.format, loaded, ignored };
}
