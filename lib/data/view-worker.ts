// A view worker: decodes each image once with sharp and cuts all its views from the
// decoded pixels (random-resized crop, antialiased bicubic resize, flip) straight into
// uint8 NHWC batch buffers, which are transferred back without copies. The cutting runs
// in native code on this thread by default; `resizer: 'sharp'` does it with one sharp
// pipeline per view instead (slower: ~1 ms fixed cost per pipeline).
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { native } from '../native.js';
import { randomResizedCropBox } from './crop-geometry.js';
import { Random, deriveSeed } from './random.js';
import type { SkippedImage, ViewGeometry, ViewTask, ViewTaskResult, WorkerInit } from './view-messages.js';

// Parallelism comes from many images at once, not from threads inside one small image.
sharp.concurrency(1);
sharp.cache(false);

const init = workerData as WorkerInit;
const imagesInFlight = 2;

interface Decoded {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 3;
}

async function decodeFile(path: string): Promise<Decoded> {
  let { data, info } = await sharp(path, { failOn: 'warning' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 && info.channels !== 3) {
    ({ data, info } = await sharp(path, { failOn: 'warning' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true }));
  }
  return { data, width: info.width, height: info.height, channels: info.channels as 1 | 3 };
}

function pixelsOf(index: number): Decoded {
  const { data, height, width, channels } = init.pixels!;
  const bytes = height * width * channels;
  return { data: Buffer.from(data.buffer, data.byteOffset + index * bytes, bytes), width, height, channels };
}

// Copies a size×size×3 view into its slot, mirrored when flipped (exact by construction).
function place(target: Uint8Array, slot: number, view: Buffer, size: number, flip: boolean): void {
  const rowBytes = size * 3;
  const base = slot * size * rowBytes;
  if (!flip) {
    target.set(view, base);
    return;
  }
  for (let y = 0; y < size; y++) {
    const row = base + y * rowBytes;
    const source = y * rowBytes;
    for (let x = 0; x < size; x++) {
      const from = source + (size - 1 - x) * 3;
      const to = row + x * 3;
      target[to] = view[from]!;
      target[to + 1] = view[from + 1]!;
      target[to + 2] = view[from + 2]!;
    }
  }
}

// Every view's geometry, drawn in view order: the draws never depend on timing.
function drawGeometry(image: Decoded, random: Random): ViewGeometry[] {
  return init.views.map((view) => {
    const box = randomResizedCropBox(random, image.width, image.height, view.scale, view.ratio);
    return { ...box, flip: random.next() < view.flipProb, sourceWidth: image.width, sourceHeight: image.height };
  });
}

async function cutViewsWithSharp(
  image: Decoded,
  geometry: ViewGeometry[],
  buffers: Uint8Array[],
  slot: number,
): Promise<void> {
  const raw = { width: image.width, height: image.height, channels: image.channels };
  const views = await Promise.all(
    init.views.map((view, v) => {
      const { left, top, width, height } = geometry[v]!;
      let pipeline = sharp(image.data, { raw }).extract({ left, top, width, height }).resize(view.size, view.size, {
        kernel: 'cubic',
        fit: 'fill',
      });
      if (image.channels === 1) pipeline = pipeline.toColourspace('srgb');
      return pipeline.raw().toBuffer();
    }),
  );
  views.forEach((view, v) => place(buffers[v]!, slot, view, init.views[v]!.size, geometry[v]!.flip));
}

function cutViewsNatively(image: Decoded, geometry: ViewGeometry[], buffers: Uint8Array[], slot: number): void {
  const views = geometry.map((g, v) => ({
    left: g.left,
    top: g.top,
    width: g.width,
    height: g.height,
    size: init.views[v]!.size,
    flip: g.flip,
  }));
  native().cutViews(image.data, image.width, image.height, image.channels, views, buffers, slot);
}

// Decoders repeat themselves over several lines; the first says what went wrong.
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

async function runTask(task: ViewTask): Promise<{ result: ViewTaskResult; transfer: ArrayBuffer[] }> {
  const count = task.indices.length;
  const buffers = init.views.map((view) => new Uint8Array(count * view.size * view.size * 3));
  const slots: Array<{ index: number; geometry: ViewGeometry[] } | undefined> = new Array(count);
  const skipped: SkippedImage[] = [];
  let next = 0;
  const work = async () => {
    while (next < count) {
      const position = next++;
      const index = task.indices[position]!;
      const path = task.paths?.[position];
      try {
        const image = path === undefined ? pixelsOf(index) : await decodeFile(path);
        const geometry = drawGeometry(image, new Random(deriveSeed(init.seed, 'crop', task.epoch, index)));
        if (init.resizer === 'sharp') await cutViewsWithSharp(image, geometry, buffers, position);
        else cutViewsNatively(image, geometry, buffers, position);
        slots[position] = { index, geometry };
      } catch (error) {
        skipped.push({ index, ...(path !== undefined && { path }), reason: firstLine((error as Error).message) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(imagesInFlight, count) }, work));
  // Close the gaps left by skipped images so each view holds only kept rows.
  const kept: number[] = [];
  const geometry: ViewGeometry[][] = [];
  slots.forEach((slot, position) => {
    if (!slot) return;
    if (kept.length !== position) {
      init.views.forEach((view, v) => {
        const bytes = view.size * view.size * 3;
        buffers[v]!.copyWithin(kept.length * bytes, position * bytes, (position + 1) * bytes);
      });
    }
    kept.push(slot.index);
    geometry.push(slot.geometry);
  });
  const views = buffers.map((buffer, v) => buffer.subarray(0, kept.length * init.views[v]!.size ** 2 * 3));
  skipped.sort((a, b) => task.indices.indexOf(a.index) - task.indices.indexOf(b.index));
  return {
    result: { id: task.id, views, kept, skipped, ...(init.recordGeometry && { geometry }) },
    transfer: buffers.map((b) => b.buffer as ArrayBuffer),
  };
}

parentPort!.on('message', (task: ViewTask) => {
  runTask(task).then(
    ({ result, transfer }) => parentPort!.postMessage(result, transfer),
    (error: Error) =>
      parentPort!.postMessage({ id: task.id, views: [], kept: [], skipped: [], error: error.stack ?? error.message }),
  );
});
