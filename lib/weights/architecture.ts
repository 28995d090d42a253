// Which backbone a state dict (torchvision/timm names) holds, from its keys and shapes alone.
import { InputError } from '../errors.js';
import type { StateDict } from '../pth.js';
import type { Architecture } from '../model-options.js';

export interface BackboneShape {
  arch: Architecture;
  /** ResNet: a 3×3 stride-1 first convolution (mveb-torch's small-image stem). */
  smallStem: boolean;
  /** ViT: the image size its position embeddings were learned for. */
  imageSize?: number;
}

// torchvision's block counts per stage, and whether the blocks are bottlenecks.
const RESNETS: Array<{ arch: Architecture; blocks: number[]; bottleneck: boolean }> = [
  { arch: 'resnet18', blocks: [2, 2, 2, 2], bottleneck: false },
  { arch: 'resnet34', blocks: [3, 4, 6, 3], bottleneck: false },
  { arch: 'resnet50', blocks: [3, 4, 6, 3], bottleneck: true },
  { arch: 'resnet101', blocks: [3, 4, 23, 3], bottleneck: true },
];

// timm's ViT-S/16 and ViT-B/16: width and depth.
const VITS: Array<{ arch: Architecture; width: number; depth: number; patch: number; heads: number }> = [
  { arch: 'vit_small_16', width: 384, depth: 12, patch: 16, heads: 6 },
  { arch: 'vit_base_16', width: 768, depth: 12, patch: 16, heads: 12 },
];

/** A ResNet's blocks per stage and block kind (torchvision's). */
export function resnetLayout(arch: Architecture): { blocks: number[]; bottleneck: boolean } {
  const found = RESNETS.find((r) => r.arch === arch);
  if (!found) throw new Error(`resnetLayout: ${arch} is not a ResNet`);
  return { blocks: found.blocks, bottleneck: found.bottleneck };
}

/** A ViT's width, depth, patch and heads (timm's). */
export function vitLayout(arch: Architecture): { width: number; depth: number; patch: number; heads: number } {
  const found = VITS.find((v) => v.arch === arch);
  if (!found) throw new Error(`vitLayout: ${arch} is not a ViT`);
  return { width: found.width, depth: found.depth, patch: found.patch, heads: found.heads };
}

/** The width of a backbone's features (before the projector): 512 or 2048 for a ResNet, a ViT's width. */
export function featureWidth(arch: Architecture): number {
  if (isResNet(arch)) return resnetLayout(arch).bottleneck ? 2048 : 512;
  return vitLayout(arch).width;
}

export function isResNet(arch: Architecture): boolean {
  return arch.startsWith('resnet');
}

/** How many blocks (or layers) `prefix<i>.` numbers: the highest index + 1. */
function countIndexed(keys: string[], prefix: string): number {
  let count = 0;
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length).split('.', 1)[0]);
    if (Number.isInteger(index)) count = Math.max(count, index + 1);
  }
  return count;
}

export function looksLikeResNet(backbone: StateDict): boolean {
  return 'conv1.weight' in backbone && 'layer1.0.conv1.weight' in backbone;
}

export function looksLikeViT(backbone: StateDict): boolean {
  return 'patch_embed.proj.weight' in backbone && 'blocks.0.attn.qkv.weight' in backbone;
}

/** The architecture of a backbone state dict; `where` names the file in the refusal. */
export function backboneShape(backbone: StateDict, where: string): BackboneShape {
  const keys = Object.keys(backbone);
  if (looksLikeResNet(backbone)) {
    const blocks = [1, 2, 3, 4].map((stage) => countIndexed(keys, `layer${stage}.`));
    const bottleneck = 'layer1.0.conv3.weight' in backbone;
    const match = RESNETS.find((r) => r.bottleneck === bottleneck && r.blocks.every((n, i) => n === blocks[i]));
    if (!match) {
      throw new InputError(
        `${where}: a ResNet with ${bottleneck ? 'bottleneck' : 'basic'} blocks [${blocks.join(', ')}] per stage; ` +
          `mveb-torch builds ${RESNETS.map((r) => r.arch).join(', ')}`,
      );
    }
    return { arch: match.arch, smallStem: backbone['conv1.weight']!.shape[2] === 3 };
  }
  if (looksLikeViT(backbone)) {
    const width = backbone['cls_token']?.shape[2] ?? backbone['patch_embed.proj.weight']!.shape[0]!;
    const depth = countIndexed(keys, 'blocks.');
    const patch = backbone['patch_embed.proj.weight']!.shape[2]!;
    const match = VITS.find((v) => v.width === width && v.depth === depth && v.patch === patch);
    if (!match) {
      throw new InputError(
        `${where}: a ViT of width ${width}, depth ${depth}, patch ${patch}; mveb-torch builds ` +
          VITS.map((v) => `${v.arch} (${v.width}, ${v.depth}, ${v.patch})`).join(', '),
      );
    }
    const tokens = backbone['pos_embed']?.shape[1];
    const grid = tokens === undefined ? 0 : Math.round(Math.sqrt(tokens - 1));
    return { arch: match.arch, smallStem: false, ...(grid > 0 && { imageSize: grid * patch }) };
  }
  throw new InputError(`${where}: holds neither a ResNet (conv1, layer1…4) nor a ViT (patch_embed, blocks)`);
}
