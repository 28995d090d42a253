// The backbones the ONNX tests export, one per architecture (and the small-image stem): a model
// with its BN statistics moved off their initial values and residual branches not zeroed, so that
// every op counts; exported to ONNX; with what mveb-torch's own forward gives on images.
import { join } from 'node:path';
import { createModel, type Architecture, type Model } from '../../lib/models.js';
import { savePth } from '../../lib/pth.js';
import { Tensor } from '../../lib/tensor.js';
import { exportWeights } from '../../lib/weights/export.js';

export interface OnnxCase {
  arch: Architecture;
  smallStem?: boolean;
  /** ViT: the image size its position embeddings are for. */
  imageSize?: number;
  /** The images' side. */
  size: number;
}

export const ONNX_CASES: OnnxCase[] = [
  { arch: 'resnet18', size: 64 },
  { arch: 'resnet18', smallStem: true, size: 32 },
  { arch: 'resnet34', size: 64 },
  { arch: 'resnet50', size: 64 },
  { arch: 'resnet101', size: 64 },
  { arch: 'vit_small_16', size: 224 },
  { arch: 'vit_base_16', imageSize: 96, size: 96 },
];

export const caseName = (c: OnnxCase) => `${c.arch}${c.smallStem ? '-small-stem' : ''}`;

/** The case's model, exported to `dir`/<name>.onnx through `mveb-torch export`'s code. */
export async function exportCase(c: OnnxCase, dir: string): Promise<{ model: Model; onnx: string }> {
  const model = createModel({
    arch: c.arch,
    smallStem: c.smallStem ?? false,
    zeroInitResidual: false,
    projector: { hidden: 32, out: 32 },
    ...(c.imageSize && { imageSize: c.imageSize }),
  });
  await model.train();
  for (let seed = 1; seed <= 2; seed++)
    await model.backboneFeatures(await Tensor.randn([4, 3, c.size, c.size], { seed }));
  await model.eval();
  const weights = join(dir, `${caseName(c)}.pth`);
  await savePth(weights, await model.stateDict({ part: 'backbone' }));
  const onnx = join(dir, `${caseName(c)}.onnx`);
  await exportWeights(weights, { format: 'onnx', out: onnx });
  return { model, onnx };
}

/** Per image: ‖features − reference‖ / ‖reference‖. */
export function relativeErrors(features: Float32Array, reference: Float32Array, images: number): number[] {
  const width = reference.length / images;
  return Array.from({ length: images }, (_, i) => {
    let delta = 0;
    let norm = 0;
    for (let j = i * width; j < (i + 1) * width; j++) {
      delta += (features[j]! - reference[j]!) ** 2;
      norm += reference[j]! ** 2;
    }
    return Math.sqrt(delta / norm);
  });
}
