// Detectron2's names for a torchvision ResNet (the rules of its tools/convert-torchvision-to-d2.py)
// and the config lines such weights need: torchvision's RGB normalisation in 0–255 units, the
// stride on the 3×3 convolution, and SyncBN with unfrozen stages as MoCo's detection configs.
import type { Architecture } from '../model-options.js';

/** 'layer1.0.bn1.weight' → 'res2.0.conv1.norm.weight'; 'conv1.weight' → 'stem.conv1.weight'. */
export function detectron2Name(torchvisionName: string): string {
  const parts = torchvisionName.split('.');
  const out: string[] = /^layer\d$/.test(parts[0]!) ? [] : ['stem'];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const stage = part.match(/^layer(\d)$/);
    const norm = part.match(/^bn(\d)$/);
    if (stage) out.push(`res${Number(stage[1]) + 1}`);
    else if (norm) out.push(`conv${norm[1]}`, 'norm');
    else if (part === 'downsample' && (parts[i + 1] === '0' || parts[i + 1] === '1')) {
      out.push(...(parts[++i] === '0' ? ['shortcut'] : ['shortcut', 'norm']));
    } else out.push(part);
  }
  return out.join('.');
}

/** The lines of a Detectron2 YAML config these weights need. */
export function detectron2Config(weightsPath: string, arch: Architecture): string[] {
  const depth = Number(arch.replace('resnet', ''));
  return [
    'MODEL:',
    `  WEIGHTS: "${weightsPath}"`,
    '  PIXEL_MEAN: [123.675, 116.280, 103.530]  # torchvision normalisation, RGB, 0-255',
    '  PIXEL_STD: [58.395, 57.120, 57.375]',
    '  BACKBONE:',
    '    FREEZE_AT: 0  # fine-tune every stage, as MoCo/MVEB transfer',
    '  RESNETS:',
    `    DEPTH: ${depth}`,
    '    STRIDE_IN_1X1: False  # torchvision strides the 3x3 convolution',
    '    NORM: "SyncBN"',
    ...(depth < 50 ? ['    RES2_OUT_CHANNELS: 64  # required for R18/R34'] : []),
    '  # R50-FPN (Mask R-CNN) also: FPN.NORM, ROI_BOX_HEAD.NORM and ROI_MASK_HEAD.NORM "SyncBN"',
    'INPUT:',
    '  FORMAT: "RGB"',
    'TEST:',
    '  PRECISE_BN:',
    '    ENABLED: True',
  ];
}
