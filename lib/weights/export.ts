// `mveb-torch export`: one branch's backbone (and, if asked, projector) as the file another
// library loads: a torchvision state dict, a timm state dict, Detectron2's .pkl, or an ONNX
// model of the backbone (onnxruntime, onnxruntime-node).
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from '../atomic-file.js';
import { fileError, InputError } from '../errors.js';
import { savePth, type StateDict } from '../pth.js';
import type { Tensor } from '../tensor.js';
import { fileOrNewestCheckpoint } from '../run-checkpoint-files.js';
import { featureWidth, isResNet } from './architecture.js';
import { ONNX_OPSET, onnxModel } from '../onnx/model.js';
import { packageVersion } from '../info.js';
import { detectron2Config, detectron2Name } from './detectron2.js';
import { pickleDumps, type NumpyArray } from './numpy-pickle.js';
import { readWeights, type WeightsFile, type WeightsFormat } from './read.js';

export const EXPORT_FORMATS = ['torchvision', 'timm', 'detectron2', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Default: beside the source, `<name>[.target].<format>.pth` (`.pkl` for Detectron2). */
  out?: string;
  /** 'online' (default) or the EMA 'target'. */
  branch?: 'online' | 'target';
  /** Also write the projector, as `projector.*` (torchvision and timm only). */
  withProjector?: boolean;
  /** Replace an existing `out`. */
  force?: boolean;
}

export interface ExportResult {
  source: string;
  sourceFormat: WeightsFormat;
  out: string;
  format: ExportFormat;
  arch: WeightsFile['arch'];
  branch: 'online' | 'target';
  tensors: number;
  /** Elements of the weights written, BatchNorm statistics not counted. */
  parameters: number;
  /** How to load the file, one line each. */
  notes: string[];
  /** Detectron2: the config lines the weights need. */
  config?: string[];
  /** What the source holds that was not written: the other branch, the classifier, optimiser state, … */
  unused: string[];
}

const statistics = /(running_mean|running_var|num_batches_tracked)$/;

export function parameterCount(tensors: StateDict): number {
  return Object.entries(tensors).reduce((n, [key, t]) => n + (statistics.test(key) ? 0 : t.numel), 0);
}

function checkOptions(options: ExportOptions): void {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new InputError(
      `export: format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(options.format)}`,
    );
  }
  if (options.branch !== undefined && options.branch !== 'online' && options.branch !== 'target') {
    throw new InputError(`export: branch must be 'online' or 'target', got ${JSON.stringify(options.branch)}`);
  }
  if (options.withProjector && options.format === 'detectron2') {
    throw new InputError('export: --with-projector has no place in a Detectron2 model (its heads are its own)');
  }
  if (options.withProjector && options.format === 'onnx') {
    throw new InputError(
      'export: the ONNX model gives the features before the projector; --with-projector does not apply',
    );
  }
}

function defaultOut(source: string, options: ExportOptions, branch: string): string {
  const name = basename(source).replace(/\.(pth|pt|pth\.tar|tar|ckpt|bin)$/, '');
  if (options.format === 'onnx') return join(dirname(source), `${name}${branch === 'target' ? '.target' : ''}.onnx`);
  const extension = options.format === 'detectron2' ? 'pkl' : 'pth';
  return join(dirname(source), `${name}${branch === 'target' ? '.target' : ''}.${options.format}.${extension}`);
}

function refuseMisfit(weights: WeightsFile, format: ExportFormat): void {
  if (format === 'onnx') return; // every architecture mveb-torch trains
  const resnet = isResNet(weights.arch);
  if (format === 'timm' && resnet)
    throw new InputError(
      `export: ${weights.path} holds a ${weights.arch}; --format timm is for ViTs (use torchvision or detectron2)`,
    );
  if (format !== 'timm' && !resnet)
    throw new InputError(
      `export: ${weights.path} holds a ${weights.arch}; --format ${format} is for ResNets (use timm)`,
    );
  if (format === 'detectron2' && weights.smallStem) {
    throw new InputError(
      `export: ${weights.path} has the small-image stem (3×3 conv1, no max-pool), which Detectron2's ResNet stem cannot take`,
    );
  }
}

async function numpyArray(tensor: Tensor): Promise<NumpyArray> {
  const values = await tensor.toArray();
  const data =
    values instanceof BigInt64Array || values instanceof Float32Array
      ? values
      : Float32Array.from(values as ArrayLike<number>);
  return {
    kind: data instanceof BigInt64Array ? 'i8' : 'f4',
    shape: tensor.shape,
    bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** Writes Detectron2's .pkl: {model: {d2 name: array}, __author__, matching_heuristics}, atomically. */
async function writeDetectron2(out: string, backbone: StateDict): Promise<void> {
  const model: Record<string, NumpyArray> = {};
  for (const [key, tensor] of Object.entries(backbone)) model[detectron2Name(key)] = await numpyArray(tensor);
  await writeFileAtomically(out, pickleDumps({ model, __author__: 'mveb-torch', matching_heuristics: true }));
}

/** The backbone as an ONNX model, atomically. */
async function writeOnnx(out: string, weights: WeightsFile, backbone: StateDict): Promise<void> {
  const { bytes } = await onnxModel(
    backbone,
    {
      arch: weights.arch,
      smallStem: weights.smallStem,
      ...(weights.imageSize !== undefined && { imageSize: weights.imageSize }),
    },
    { version: packageVersion(), where: `export: ${weights.path}` },
  );
  await writeFileAtomically(out, bytes);
}

function loadingNotes(weights: WeightsFile, format: ExportFormat, out: string): string[] {
  if (format === 'onnx') {
    const size = isResNet(weights.arch) ? 'H, W' : `${weights.imageSize ?? 224}, ${weights.imageSize ?? 224}`;
    return [
      `input "images": float32 [batch, 3, ${size}], RGB in [0, 1] normalised with ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225)`,
      `output "features": float32 [batch, ${featureWidth(weights.arch)}], the backbone's features before the projector (opset ${ONNX_OPSET})`,
      `Python: onnxruntime.InferenceSession("${out}").run(["features"], {"images": x})`,
      `Node:   (await ort.InferenceSession.create("${out}")).run({ images: new ort.Tensor("float32", data, [n, 3, h, w]) })  # examples/onnxruntime-node`,
    ];
  }
  if (format === 'torchvision') {
    const lines = [`model = torchvision.models.${weights.arch}()`];
    if (weights.smallStem) {
      lines.push('# small-image stem: 3x3 stride-1 conv1 and no max-pool, as in training');
      lines.push('model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False); model.maxpool = torch.nn.Identity()');
    }
    lines.push(
      `model.load_state_dict(torch.load("${out}"), strict=False)  # missing: fc.weight, fc.bias (the classifier)`,
    );
    return lines;
  }
  if (format === 'timm') {
    const name = weights.arch === 'vit_small_16' ? 'vit_small_patch16_224' : 'vit_base_patch16_224';
    const size = weights.imageSize && weights.imageSize !== 224 ? `, img_size=${weights.imageSize}` : '';
    return [
      `model = timm.create_model("${name}", num_classes=0${size})`,
      `model.load_state_dict(torch.load("${out}"))`,
    ];
  }
  return ['Detectron2 loads the .pkl as its converted torchvision weights; the config lines below go in your YAML.'];
}

function unusedParts(weights: WeightsFile, branch: 'online' | 'target', withProjector: boolean): string[] {
  const other = branch === 'online' ? 'target' : 'online';
  const unused = [...(weights[other] ? [`the ${other} branch`] : [])];
  if (!withProjector && Object.keys(weights[branch]!.projector).length > 0) unused.push(`the ${branch} projector`);
  return [...unused, ...weights.ignored];
}

export async function exportWeights(source: string, options: ExportOptions): Promise<ExportResult> {
  checkOptions(options);
  const branch = options.branch ?? 'online';
  // The cheap refusals first: a checkpoint can take seconds to read.
  const path = await fileOrNewestCheckpoint(source, 'export');
  const out = options.out ?? defaultOut(path, options, branch);
  if (resolve(out) === resolve(path)) throw new InputError(`export: --out ${out} is the file being exported`);
  const existing = await stat(out).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`export: --out ${out} is a directory; name a file`);
  if (existing && !options.force) throw new InputError(`export: ${out} exists; pass --force to replace it`);
  const weights = await readWeights(path, 'export');
  const chosen = branch === 'target' ? weights.target : weights.online;
  if (!chosen)
    throw new InputError(
      `export: ${weights.path} has no target branch (its target is shared with the online branch, or it is a plain state dict)`,
    );
  refuseMisfit(weights, options.format);
  if (options.withProjector && Object.keys(chosen.projector).length === 0)
    throw new InputError(`export: ${weights.path} holds no projector`);

  const tensors: StateDict = { ...chosen.backbone };
  if (options.withProjector) for (const [key, t] of Object.entries(chosen.projector)) tensors[`projector.${key}`] = t;
  if (options.format === 'detectron2') await writeDetectron2(out, tensors);
  else if (options.format === 'onnx') await writeOnnx(out, weights, tensors);
  else await savePth(out, tensors).catch((error: unknown) => Promise.reject(fileError('write', out, error)));
  return {
    source: weights.path,
    sourceFormat: weights.format,
    out,
    format: options.format,
    arch: weights.arch,
    branch,
    tensors: Object.keys(tensors).length,
    parameters: parameterCount(tensors),
    notes: loadingNotes(weights, options.format, out),
    ...(options.format === 'detectron2' && { config: detectron2Config(out, weights.arch) }),
    unused: unusedParts(weights, branch, options.withProjector ?? false),
  };
}
