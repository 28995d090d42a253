// torchvision's RandomResizedCrop.get_params: ten tries at a box of random area and
// aspect ratio, then a central crop with the ratio clamped into range.
import type { Random } from './random.js';

export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function randomResizedCropBox(
  random: Random,
  imageWidth: number,
  imageHeight: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropBox {
  const area = imageWidth * imageHeight;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * random.uniform(scale[0], scale[1]);
    const aspect = Math.exp(random.uniform(logRatio[0], logRatio[1]));
    const width = Math.round(Math.sqrt(targetArea * aspect));
    const height = Math.round(Math.sqrt(targetArea / aspect));
    if (width > 0 && width <= imageWidth && height > 0 && height <= imageHeight) {
      return {
        top: random.integer(0, imageHeight - height),
        left: random.integer(0, imageWidth - width),
        width,
        height,
      };
    }
  }
  const inRatio = imageWidth / imageHeight;
  let width = imageWidth;
  let height = imageHeight;
  if (inRatio < ratio[0]) height = Math.round(width / ratio[0]);
  else if (inRatio > ratio[1]) width = Math.round(height * ratio[1]);
  return { top: Math.floor((imageHeight - height) / 2), left: Math.floor((imageWidth - width) / 2), width, height };
}
