// Reading any weights file a user brings: an mveb-torch checkpoint, the authors' MVEB checkpoint,
// a torchvision ResNet or timm ViT state dict (ours exported included). Everything comes out in
// one layout: branches of backbone (torchvision/timm names) and projector (mveb-torch's names).
import { fileOrNewestCheckpoint } from '../run-checkpoint-files.js';
import { torchLoad } from '../torch-format/torch-load.js';
import { InputError } from '../errors.js';
import type { StateDict } from '../pth.js';
import { Tensor } from '../tensor.js';
import { backboneShape, looksLikeResNet, looksLikeViT, type BackboneShape } from './architecture.js';
import { authorsBranches, isAuthorsCheckpoint } from './authors.js';
import type { BranchWeights } from './branch.js';

export type { BranchWeights } from './branch.js';

export type WeightsFormat = 'mveb-torch' | 'mveb-authors' | 'torchvision' | 'timm';

export const FORMAT_NAMES: Record<WeightsFormat, string> = {
  'mveb-torch': 'mveb-torch training checkpoint',
  'mveb-authors': "the MVEB authors' checkpoint (wlj6816/MVEB pretrain.py)",
  torchvision: 'torchvision ResNet state dict',
  timm: 'timm ViT state dict',
};

export interface WeightsFile extends BackboneShape {
  path: string;
  format: WeightsFormat;
  online: BranchWeights;
  /** The EMA target branch, when the file has one. */
  target?: BranchWeights;
  epoch?: number;
  step?: number;
  /** mveb-torch checkpoints: the run's configuration. */
  config?: Record<string, unknown>;
  /** What the file holds besides the branches ('fc.weight', 'optimizer', …), each named once. */
  ignored: string[];
}

const ourCheckpointVersion = 1;

function tensorsOf(value: unknown): StateDict | undefined {
  if (!(value instanceof Map) || value.size === 0) return undefined;
  const out: StateDict = {};
  for (const [key, item] of value) {
    if (!(item instanceof Tensor)) return undefined;
    out[String(key)] = item;
  }
  return out;
}

/** Splits 'online.backbone.x' style keys into branches. */
function splitBranches(
  model: StateDict,
  prefix: (branch: 'online' | 'target', part: 'backbone' | 'projector') => string,
) {
  const branches: Partial<Record<'online' | 'target', BranchWeights>> = {};
  const used = new Set<string>();
  for (const branch of ['online', 'target'] as const) {
    const weights: BranchWeights = { backbone: {}, projector: {} };
    for (const part of ['backbone', 'projector'] as const) {
      const start = prefix(branch, part);
      for (const [key, tensor] of Object.entries(model)) {
        if (!key.startsWith(start)) continue;
        weights[part][key.slice(start.length)] = tensor;
        used.add(key);
      }
    }
    if (Object.keys(weights.backbone).length > 0) branches[branch] = weights;
  }
  return { branches, unused: Object.keys(model).filter((k) => !used.has(k)) };
}

function stripModulePrefix(tensors: StateDict): StateDict {
  const keys = Object.keys(tensors);
  if (!keys.every((k) => k.startsWith('module.'))) return tensors;
  return Object.fromEntries(keys.map((k) => [k.slice('module.'.length), tensors[k]!]));
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : undefined;
}

/** A plain state dict: a torchvision ResNet or a timm ViT, maybe with our exported projector. */
function fromStateDict(
  path: string,
  tensors: StateDict,
  ignoredAbove: string[],
): Omit<WeightsFile, keyof BackboneShape> {
  const state = stripModulePrefix(tensors);
  if (!looksLikeResNet(state) && !looksLikeViT(state)) {
    const sample = Object.keys(state).slice(0, 4).join(', ');
    throw new InputError(
      `${path}: not a weights file mveb-torch knows (an mveb-torch checkpoint, the MVEB authors' checkpoint, a torchvision ` +
        `ResNet or timm ViT state dict): its tensors are named ${sample}${Object.keys(state).length > 4 ? ', …' : ''}`,
    );
  }
  const format: WeightsFormat = looksLikeResNet(state) ? 'torchvision' : 'timm';
  const online: BranchWeights = { backbone: {}, projector: {} };
  const ignored = [...ignoredAbove];
  const classifier = format === 'torchvision' ? /^fc\./ : /^(head|fc_norm)\./;
  for (const [key, tensor] of Object.entries(state)) {
    if (key.startsWith('projector.')) online.projector[key.slice('projector.'.length)] = tensor;
    else if (classifier.test(key)) ignored.push(key);
    else online.backbone[key] = tensor;
  }
  return { path, format, online, ignored };
}

function describeKey(key: string, value: unknown): string {
  return value instanceof Map ? `${key} (${value.size} entries)` : key;
}

/** Reads a weights file (or a run directory's newest checkpoint); `purpose` starts every refusal. */
export async function readWeights(pathOrRun: string, purpose = 'weights'): Promise<WeightsFile> {
  const path = await fileOrNewestCheckpoint(pathOrRun, purpose);
  let root: unknown;
  try {
    root = await torchLoad(path);
  } catch (error) {
    throw new InputError(`${purpose}: cannot read ${path}: ${(error as Error).message.replace(`${path}: `, '')}`);
  }
  const where = `${purpose}: ${path}`;
  let read: Omit<WeightsFile, keyof BackboneShape>;
  const asMap = root instanceof Map ? (root as Map<string, unknown>) : undefined;
  const model = tensorsOf(asMap?.get('model'));
  if (
    asMap &&
    model &&
    asMap.get('version') === ourCheckpointVersion &&
    Object.keys(model).some((k) => k.startsWith('online.backbone.'))
  ) {
    const { branches, unused } = splitBranches(model, (branch, part) => `${branch}.${part}.`);
    const extra = [...asMap.keys()].filter(
      (k) => !['model', 'version', 'epoch', 'batch', 'step', 'config'].includes(k),
    );
    const config = asMap.get('config');
    read = {
      path,
      format: 'mveb-torch',
      online: branches.online!,
      ...(branches.target && { target: branches.target }),
      epoch: numberOr(asMap.get('epoch'))!,
      step: numberOr(asMap.get('step'))!,
      ...(config instanceof Map && { config: Object.fromEntries(config) as Record<string, unknown> }),
      ignored: [...unused, ...extra.map((k) => describeKey(k, asMap.get(k)))],
    };
  } else if (asMap && model && isAuthorsCheckpoint(model)) {
    const { online, target, unused } = authorsBranches(model);
    const extra = [...asMap.keys()].filter((k) => !['model', 'epoch', 'step'].includes(k) && asMap.get(k) !== null);
    read = {
      path,
      format: 'mveb-authors',
      online,
      ...(target && { target }),
      ...(numberOr(asMap.get('epoch')) !== undefined && { epoch: numberOr(asMap.get('epoch'))! }),
      ...(numberOr(asMap.get('step')) !== undefined && { step: numberOr(asMap.get('step'))! }),
      ignored: [...unused, ...extra.map((k) => describeKey(k, asMap.get(k)))],
    };
  } else {
    // A state dict, maybe wrapped as {'state_dict': …} or {'model': …} with other entries beside it.
    const direct = tensorsOf(asMap);
    const wrapper = direct ? undefined : (['state_dict', 'model'] as const).find((k) => tensorsOf(asMap?.get(k)));
    const tensors = direct ?? (wrapper && tensorsOf(asMap!.get(wrapper)));
    if (!tensors) {
      const what = asMap ? `a dict of ${[...asMap.keys()].slice(0, 6).join(', ')}` : 'no dict of tensors';
      throw new InputError(
        `${where} is not a weights file mveb-torch knows (an mveb-torch checkpoint, the MVEB authors' checkpoint, a ` +
          `torchvision ResNet or timm ViT state dict): it holds ${what}`,
      );
    }
    const besides = wrapper
      ? [...asMap!.keys()].filter((k) => k !== wrapper).map((k) => describeKey(k, asMap!.get(k)))
      : [];
    read = fromStateDict(where, tensors, besides);
    read.path = path;
  }
  return { ...read, ...backboneShape(read.online.backbone, where) };
}
