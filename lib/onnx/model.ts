// A backbone (ResNet or ViT, as mveb-torch trains them) as an ONNX model, built from our own
// description of the architecture: input `images` (float32 [batch, 3, H, W], normalised as the
// training views: ImageNet mean and std), output `features` [batch, D], the features before the
// projector; the batch is dynamic (a ResNet's height and width too); opset 17, weights as
// initializers under their PyTorch names.
import type { Architecture } from '../model-options.js';
import type { StateDict } from '../pth.js';
import { featureWidth, isResNet, resnetLayout, vitLayout } from '../weights/architecture.js';
import { GraphBuilder } from './graph.js';
import { encodeModel, type ValueSpec } from './proto.js';
import { resnetGraph } from './resnet.js';
import { vitGraph } from './vit.js';

export const ONNX_OPSET = 17;
// The IR version opset 17 came with (ONNX 1.12).
const IR_VERSION = 8;

export interface OnnxBackbone {
  arch: Architecture;
  smallStem: boolean;
  /** ViT: the image size its position embeddings were learned for (default 224). */
  imageSize?: number;
}

export async function onnxModel(
  backbone: StateDict,
  shape: OnnxBackbone,
  about: { version: string; where: string },
): Promise<{ bytes: Buffer; input: ValueSpec; output: ValueSpec }> {
  const g = new GraphBuilder(backbone, about.where);
  let input: ValueSpec;
  const output: ValueSpec = { name: 'features', dims: ['batch', featureWidth(shape.arch)] };
  if (isResNet(shape.arch)) {
    const layout = resnetLayout(shape.arch);
    input = { name: 'images', dims: ['batch', 3, 'height', 'width'] };
    await resnetGraph(g, input.name, output.name, { ...layout, smallStem: shape.smallStem }, (key) => key in backbone);
  } else {
    const layout = vitLayout(shape.arch);
    const imageSize = shape.imageSize ?? 224;
    input = { name: 'images', dims: ['batch', 3, imageSize, imageSize] };
    await vitGraph(g, input.name, output.name, { ...layout, imageSize });
  }
  const bytes = encodeModel({
    graphName: `mveb-torch ${shape.arch} backbone`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [input],
    outputs: [output],
    opset: ONNX_OPSET,
    irVersion: IR_VERSION,
    producerVersion: about.version,
    docString: `${shape.arch} backbone pretrained with MVEB by mveb-torch: images normalised with ImageNet's mean and std in, features before the projector out`,
  });
  return { bytes, input, output };
}
