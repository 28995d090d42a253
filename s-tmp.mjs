import { native } from './dist/native.js';
import { photometricAugment, setNumThreads } from './dist/index.js';
import sharp from 'sharp';
const { data, info } = await sharp('.bench-data/photos/astronaut/00001.jpg').raw().toBuffer({ resolveWithObject: true });
const a = native();
const views = [{ left: 20, top: 10, width: 400, height: 300, size: 224, flip: false }, { left: 0, top: 0, width: 300, height: 280, size: 224, flip: true },
  ...Array.from({ length: 6 }, () => ({ left: 30, top: 40, width: 140, height: 110, size: 96, flip: false }))];
const outs = views.map((v) => new Uint8Array(v.size * v.size * 3));
let t = performance.now();
for (let i = 0; i < 200; i++) a.cutViews(data, info.width, info.height, 3, views, outs, 0);
console.log('cutViews per image ms', (performance.now() - t) / 200);
await setNumThreads(1);
for (const [n, s] of [[64, 224], [64, 96]]) {
  const d = new Uint8Array(n * s * s * 3).map((_, i) => (i * 7919) % 251);
  for (const spec of [{}, { blurProb: 0 }, { blurProb: 0, hue: 0 }, { blurProb: 0, jitterProb: 0 }]) {
    await photometricAugment(d, [n, s, s, 3], { seed: 0, ...spec });
    t = performance.now();
    for (let i = 0; i < 5; i++) await photometricAugment(d, [n, s, s, 3], { seed: i, ...spec });
    console.log(s, JSON.stringify(spec), 'per image ms', ((performance.now() - t) / 5 / n).toFixed(3));
  }
}
