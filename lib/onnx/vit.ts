// A timm ViT backbone (mveb-torch's) as ONNX ops: patch embedding, the class token and position
// embeddings, pre-norm blocks (LayerNormalization, attention, exact GELU from Erf), the final norm,
// and the class token's features: the features before the projector. Linear weights stay as
// PyTorch stores them ([out, in]) and are transposed by a node that runtimes fold away.
import type { GraphBuilder } from './graph.js';

const LN_EPSILON = 1e-6;

async function linear(g: GraphBuilder, x: string, key: string): Promise<string> {
  const weight = g.op('Transpose', [await g.weight(`${key}.weight`)], { perm: [1, 0] });
  return g.op('Add', [g.op('MatMul', [x, weight]), await g.weight(`${key}.bias`)]);
}

async function layerNorm(g: GraphBuilder, x: string, key: string): Promise<string> {
  return g.op('LayerNormalization', [x, await g.weight(`${key}.weight`), await g.weight(`${key}.bias`)], {
    axis: -1,
    epsilon: { float: LN_EPSILON },
  });
}

async function attention(g: GraphBuilder, x: string, key: string, tokens: number, width: number, heads: number) {
  const headDim = width / heads;
  const qkv = g.op(
    'Transpose',
    [g.op('Reshape', [await linear(g, x, `${key}.qkv`), g.int64([0, tokens, 3, heads, headDim])])],
    {
      perm: [2, 0, 3, 1, 4],
    },
  );
  const [q, k, v] = [0, 1, 2].map((i) => g.op('Gather', [qkv, g.int64([i], true)], { axis: 0 }));
  const scores = g.op('Div', [
    g.op('MatMul', [q!, g.op('Transpose', [k!], { perm: [0, 1, 3, 2] })]),
    g.float(Math.sqrt(headDim)),
  ]);
  const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v!]);
  const merged = g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1, 3] }), g.int64([0, tokens, width])]);
  return linear(g, merged, `${key}.proj`);
}

/** GELU as PyTorch's default: x · Φ(x) = 0.5 · x · (1 + erf(x / √2)). */
function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op('Erf', [g.op('Div', [x, g.float(Math.SQRT2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.float(0.5)]), g.op('Add', [erf, g.float(1)])]);
}

export async function vitGraph(
  g: GraphBuilder,
  input: string,
  output: string,
  shape: { width: number; depth: number; patch: number; heads: number; imageSize: number },
): Promise<void> {
  const { width, depth, patch, heads, imageSize } = shape;
  const tokens = (imageSize / patch) ** 2 + 1;
  const patches = g.op(
    'Conv',
    [input, await g.weight('patch_embed.proj.weight'), await g.weight('patch_embed.proj.bias')],
    {
      kernel_shape: [patch, patch],
      strides: [patch, patch],
    },
  );
  const sequence = g.op('Transpose', [g.op('Reshape', [patches, g.int64([0, width, -1])])], { perm: [0, 2, 1] });
  // The class token, one per image of a batch of any size.
  const batch = g.op('Shape', [input], { start: 0, end: 1 });
  const clsShape = g.op('Concat', [batch, g.int64([1, width])], { axis: 0 });
  const cls = g.op('Expand', [await g.weight('cls_token'), clsShape]);
  let x = g.op('Add', [g.op('Concat', [cls, sequence], { axis: 1 }), await g.weight('pos_embed')]);
  for (let i = 0; i < depth; i++) {
    const key = `blocks.${i}`;
    x = g.op('Add', [
      x,
      await attention(g, await layerNorm(g, x, `${key}.norm1`), `${key}.attn`, tokens, width, heads),
    ]);
    const hidden = gelu(g, await linear(g, await layerNorm(g, x, `${key}.norm2`), `${key}.mlp.fc1`));
    x = g.op('Add', [x, await linear(g, hidden, `${key}.mlp.fc2`)]);
  }
  g.op('Gather', [await layerNorm(g, x, 'norm'), g.int64([0], true)], { axis: 1 }, output);
}
