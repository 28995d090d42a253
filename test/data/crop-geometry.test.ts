// Random-resized-crop geometry (torchvision's algorithm): boxes inside the image, area
// and aspect statistics inside the requested ranges, the central fallback.
import t from 'tap';
import { randomResizedCropBox } from '../../lib/data/crop-geometry.js';
import { Random } from '../../lib/data/random.js';

t.test('scale and aspect ratio of many draws fall inside the requested ranges', async (t) => {
  for (const [scale, ratio] of [
    [
      [0.4, 1],
      [3 / 4, 4 / 3],
    ],
    [
      [0.05, 0.4],
      [3 / 4, 4 / 3],
    ],
    [
      [0.2, 0.3],
      [0.5, 2],
    ],
  ] as const) {
    const random = new Random(1);
    const [width, height] = [500, 375];
    const scales: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const box = randomResizedCropBox(random, width, height, scale, ratio);
      if (!(box.left >= 0 && box.top >= 0 && box.left + box.width <= width && box.top + box.height <= height)) {
        t.fail(`box outside the image: ${JSON.stringify(box)}`);
        return;
      }
      scales.push((box.width * box.height) / (width * height));
      ratios.push(box.width / box.height);
    }
    // Rounding to whole pixels moves area and ratio by a little; allow 3 %.
    const label = `scale [${scale}], ratio [${ratio.map((r) => r.toFixed(2))}]`;
    t.ok(Math.min(...scales) >= scale[0] * 0.97 && Math.max(...scales) <= scale[1] * 1.03, `${label}: scales in range`);
    t.ok(Math.min(...ratios) >= ratio[0] * 0.97 && Math.max(...ratios) <= ratio[1] * 1.03, `${label}: ratios in range`);
    const meanScale = scales.reduce((a, b) => a + b, 0) / scales.length;
    t.ok(
      meanScale > scale[0] + 0.25 * (scale[1] - scale[0]) && meanScale < scale[1],
      `${label}: mean scale ${meanScale.toFixed(3)} spreads over the range`,
    );
    const logRatios = ratios.map(Math.log);
    const meanLog = logRatios.reduce((a, b) => a + b, 0) / logRatios.length;
    t.ok(
      Math.abs(meanLog - (Math.log(ratio[0]) + Math.log(ratio[1])) / 2) < 0.1,
      `${label}: log-ratio centred (${meanLog.toFixed(3)})`,
    );
  }
});

t.test('when no draw fits, a central crop with the ratio clamped', async (t) => {
  // A 1000×10 strip: a 3/4..4/3 box of 40 %+ of its area never fits.
  const box = randomResizedCropBox(new Random(2), 1000, 10, [0.4, 1], [3 / 4, 4 / 3]);
  t.same(box, { left: 493, top: 0, width: 13, height: 10 });
  const square = randomResizedCropBox(new Random(2), 10, 10, [0.999, 1], [0.99, 1.01]);
  t.same(square, { left: 0, top: 0, width: 10, height: 10 });
});
