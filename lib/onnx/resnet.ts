// A torchvision ResNet backbone (mveb-torch's) as ONNX ops: conv1, bn1, relu, max-pool (not with
// the small-image stem), four stages of basic or bottleneck blocks (stride on the 3×3 convolution,
// as torchvision), global average pooling, flattened: the features before the projector.
import type { GraphBuilder } from './graph.js';

const BN_EPSILON = 1e-5;

async function conv(g: GraphBuilder, x: string, key: string, stride: number): Promise<string> {
  const weight = await g.weight(`${key}.weight`);
  const kernel = g.shape(`${key}.weight`)[2]!;
  const pad = Math.floor(kernel / 2);
  return g.op('Conv', [x, weight], {
    kernel_shape: [kernel, kernel],
    strides: [stride, stride],
    pads: [pad, pad, pad, pad],
  });
}

async function batchNorm(g: GraphBuilder, x: string, key: string): Promise<string> {
  const inputs = [x];
  for (const part of ['weight', 'bias', 'running_mean', 'running_var']) inputs.push(await g.weight(`${key}.${part}`));
  return g.op('BatchNormalization', inputs, { epsilon: { float: BN_EPSILON } });
}

async function block(
  g: GraphBuilder,
  x: string,
  key: string,
  stride: number,
  bottleneck: boolean,
  hasDownsample: boolean,
) {
  let out = x;
  const convs = bottleneck ? 3 : 2;
  for (let i = 1; i <= convs; i++) {
    // The stride sits on the 3×3 convolution: the first of a basic block, the second of a bottleneck.
    const strided = bottleneck ? i === 2 : i === 1;
    out = await batchNorm(g, await conv(g, out, `${key}.conv${i}`, strided ? stride : 1), `${key}.bn${i}`);
    if (i < convs) out = g.op('Relu', [out]);
  }
  const identity = hasDownsample
    ? await batchNorm(g, await conv(g, x, `${key}.downsample.0`, stride), `${key}.downsample.1`)
    : x;
  return g.op('Relu', [g.op('Add', [out, identity])]);
}

export async function resnetGraph(
  g: GraphBuilder,
  input: string,
  output: string,
  shape: { blocks: number[]; bottleneck: boolean; smallStem: boolean },
  has: (key: string) => boolean,
): Promise<void> {
  let x = g.op('Relu', [await batchNorm(g, await conv(g, input, 'conv1', shape.smallStem ? 1 : 2), 'bn1')]);
  if (!shape.smallStem) x = g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  for (const [index, count] of shape.blocks.entries()) {
    for (let b = 0; b < count; b++) {
      const key = `layer${index + 1}.${b}`;
      const stride = b === 0 && index > 0 ? 2 : 1;
      x = await block(g, x, key, stride, shape.bottleneck, has(`${key}.downsample.0.weight`));
    }
  }
  g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 }, output);
}
