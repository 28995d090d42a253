// ViTs: timm/DINO names, ViT-B/16 numerics against torchvision's vit_b_16, sizes.
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel, savePth } from '../../lib/entries/models.js';
import { relativeError } from '../helpers/numeric.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

// Our timm-named weights renamed to torchvision's vit_b_16 layout, then its class-token features.
const torchvisionViT = `
import sys, numpy as np, torch, torchvision
weights, images, out = sys.argv[1:4]
ours = torch.load(weights)
tv = {"conv_proj.weight": ours["patch_embed.proj.weight"], "conv_proj.bias": ours["patch_embed.proj.bias"],
      "class_token": ours["cls_token"], "encoder.pos_embedding": ours["pos_embed"],
      "encoder.ln.weight": ours["norm.weight"], "encoder.ln.bias": ours["norm.bias"]}
names = {"norm1": "ln_1", "attn.qkv.weight": "self_attention.in_proj_weight", "attn.qkv.bias": "self_attention.in_proj_bias",
         "attn.proj": "self_attention.out_proj", "norm2": "ln_2", "mlp.fc1": "mlp.0", "mlp.fc2": "mlp.3"}
for key, value in ours.items():
    if key.startswith("blocks."):
        _, i, rest = key.split(".", 2)
        for a, b in names.items():
            if rest.startswith(a):
                tv[f"encoder.layers.encoder_layer_{i}." + b + rest[len(a):]] = value
model = torchvision.models.vit_b_16()
result = model.load_state_dict(tv, strict=False)
assert sorted(result.missing_keys) == ["heads.head.bias", "heads.head.weight"], result
assert not result.unexpected_keys, result
model.heads = torch.nn.Identity()
model.eval()
with torch.no_grad():
    np.save(out, model(torch.from_numpy(np.load(images))).numpy())
`;

t.test('ViT-B/16: our weights in torchvision’s vit_b_16 layout give the same class-token features', async (t) => {
  const dir = tempDir(t);
  const model = createModel({ arch: 'vit_base_16', projector: { hidden: 8, out: 8 } });
  await model.eval();
  const weights = join(dir, 'vit.pth');
  const sd = await model.stateDict({ part: 'backbone' });
  t.ok(
    'blocks.11.attn.qkv.weight' in sd &&
      'patch_embed.proj.weight' in sd &&
      'cls_token' in sd &&
      'pos_embed' in sd &&
      'norm.bias' in sd,
  );
  t.same(sd['pos_embed']!.shape, [1, 197, 768]);
  await savePth(weights, sd);
  const images = join(dir, 'images.npy');
  await (await Tensor.randn([2, 3, 224, 224], { seed: 4 })).saveNpy(images);
  runPython(torchvisionViT, [weights, images, join(dir, 'tv.npy')]);
  const ours = (await (await model.backboneFeatures(await Tensor.loadNpy(images))).toArray()) as Float32Array;
  const theirs = (await (await Tensor.loadNpy(join(dir, 'tv.npy'))).toArray()) as Float32Array;
  t.equal(ours.length, 2 * 768);
  const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
  const spread = Math.sqrt(ours.reduce((a, b) => a + (b - mean) ** 2, 0) / ours.length);
  t.ok(spread > 0.1, `features are not degenerate (std ${spread.toFixed(3)})`);
  const err = relativeError(ours, theirs);
  t.ok(err < 1e-4, `class-token features relative difference ${err.toExponential(2)}`);
});

t.test('ViT-S/16 has the reference design’s size, and takes 96 px local crops', async (t) => {
  const model = createModel({ arch: 'vit_small_16', projector: { hidden: 8, out: 8 } });
  // timm's vit_small_patch16_224 without its head: 21,665,664 parameters.
  t.equal(model.parameterCount({ part: 'backbone' }), 21665664);
  t.equal(model.featureDim, 384);
  await model.eval();
  const global = await model.backboneFeatures(await Tensor.randn([2, 3, 224, 224], { seed: 1 }));
  const local = await model.backboneFeatures(await Tensor.randn([2, 3, 96, 96], { seed: 2 }));
  t.same(global.shape, [2, 384]);
  t.same(local.shape, [2, 384], 'position embeddings interpolated from 14×14 to 6×6');
  const [g, l] = await model.embed([
    await Tensor.randn([2, 3, 224, 224], { seed: 1 }),
    await Tensor.randn([2, 3, 96, 96], { seed: 2 }),
  ]);
  t.same(g!.shape, [2, 8]);
  t.same(l!.shape, [2, 8]);
});
