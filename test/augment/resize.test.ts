// Cutting views natively: crop + antialiased bicubic resize against torchvision's
// resize(antialias=True) (the filter PIL uses) on a real photograph, and exact flips.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { native, type NativeCropView } from '../../lib/native.js';
import { skimageDataDir } from '../../bench/data/photo-folder.mjs';
import { oraclePython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const reference = `
import json, sys
import numpy as np, torch
import torchvision.transforms.functional as F
image = torch.from_numpy(np.load(sys.argv[1])).permute(2, 0, 1).float()
out = []
for v in json.loads(sys.argv[2]):
    crop = image[:, v['top']:v['top'] + v['height'], v['left']:v['left'] + v['width']]
    resized = F.resize(crop, [v['size'], v['size']], interpolation=F.InterpolationMode.BICUBIC, antialias=True)
    out.append(resized.round().clamp(0, 255).permute(1, 2, 0).reshape(-1))
np.save(sys.argv[3], torch.cat(out).to(torch.uint8).numpy())
`;

async function compare(t: Test, path: string, channels: 1 | 3) {
  let image = sharp(path);
  if (channels === 1) image = image.toColourspace('b-w');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  t.equal(info.channels, channels);
  const views: NativeCropView[] = [
    { left: 0, top: 0, width: info.width, height: info.height, size: 224, flip: false }, // whole image, downscale
    { left: 37, top: 21, width: 301, height: 250, size: 224, flip: false }, // mild downscale, not square
    { left: info.width - 60, top: info.height - 45, width: 60, height: 45, size: 96, flip: false }, // upscale at the corner
    { left: 100, top: 80, width: 150, height: 110, size: 96, flip: false },
    { left: 5, top: 7, width: 23, height: 29, size: 28, flip: false }, // close to 1:1
  ];
  const outputs = views.map((v) => new Uint8Array(v.size * v.size * 3));
  native().cutViews(data, info.width, info.height, channels, views, outputs, 0);
  const dir = tempDir(t);
  // The reference always sees 3 channels: a 1-channel source is compared after replication.
  const rgb = channels === 3 ? data : Uint8Array.from({ length: data.length * 3 }, (_, i) => data[Math.floor(i / 3)]!);
  await Tensor.fromArray(new Uint8Array(rgb), [info.height, info.width, 3]).saveNpy(join(dir, 'image.npy'));
  execFileSync(oraclePython, ['-c', reference, join(dir, 'image.npy'), JSON.stringify(views), join(dir, 'out.npy')]);
  const expected = (await (await Tensor.loadNpy(join(dir, 'out.npy'))).toArray()) as Uint8Array;
  let offset = 0;
  views.forEach((view, v) => {
    let worst = 0;
    for (let i = 0; i < outputs[v]!.length; i++)
      worst = Math.max(worst, Math.abs(outputs[v]![i]! - expected[offset + i]!));
    offset += outputs[v]!.length;
    t.ok(
      worst <= 1,
      `${channels}-channel ${view.width}×${view.height} → ${view.size}: max difference ${worst} ≤ 1 level`,
    );
  });
}

t.test('crop and resize match torchvision resize(antialias=True, bicubic) to one level', async (t) => {
  await compare(t, join(skimageDataDir, 'chelsea.png'), 3);
  await compare(t, join(skimageDataDir, 'camera.png'), 1);
});

t.test('a flipped view is the exact mirror; bad crops are refused', async (t) => {
  const { data, info } = await sharp(join(skimageDataDir, 'coffee.png')).raw().toBuffer({ resolveWithObject: true });
  const view = { left: 50, top: 40, width: 200, height: 150, size: 64, flip: false };
  const [straight, flipped] = [new Uint8Array(64 * 64 * 3 * 2), new Uint8Array(64 * 64 * 3 * 2)];
  native().cutViews(data, info.width, info.height, 3, [view], [straight], 1);
  native().cutViews(data, info.width, info.height, 3, [{ ...view, flip: true }], [flipped], 1);
  const slot = 64 * 64 * 3;
  t.ok(
    straight.subarray(0, slot).every((b) => b === 0),
    'slot 0 untouched',
  );
  let mirrored = true;
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++)
      for (let c = 0; c < 3; c++)
        mirrored &&= straight[slot + (y * 64 + x) * 3 + c] === flipped[slot + (y * 64 + 63 - x) * 3 + c];
  t.ok(mirrored);
  t.throws(
    () => native().cutViews(data, info.width, info.height, 3, [{ ...view, left: info.width - 10 }], [straight], 0),
    /view 0 crop 200x150\+590\+40 is outside the 600x400 image/,
  );
  t.throws(() => native().cutViews(data, info.width, info.height, 3, [view], [straight], 2), /output 0 has no slot 2/);
  t.throws(
    () => native().cutViews(data.subarray(1), info.width, info.height, 3, [view], [straight], 0),
    /image has \d+ bytes, not 600x400x3/,
  );
});
