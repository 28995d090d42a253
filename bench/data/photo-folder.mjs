// An ImageFolder of ImageNet-like JPEGs (~500×375, quality 90) cut at random scale and
// position from the colour photographs Debian's python3-skimage ships, one class per
// photograph. Decoding them costs what decoding ImageNet costs; upscaled 28×28 digits would not.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import sharp from 'sharp';

export const skimageDataDir = process.env.MVEB_SKIMAGE_DATA ?? '/usr/lib/python3/dist-packages/skimage/data';
export const photoClasses = [
  'astronaut.png',
  'chelsea.png',
  'coffee.png',
  'hubble_deep_field.jpg',
  'motorcycle_left.png',
  'motorcycle_right.png',
  'retina.jpg',
  'rocket.jpg',
];

// The folder is a fixture: the same seed writes the same files.
function generator(seed) {
  const rng = xoroshiro128plus(seed);
  return () => uniformFloat64(rng);
}

/**
 * Writes `perClass` JPEGs per photograph under dir/<photo>/. With `corrupt`, plants
 * files a loader must skip: skimage's real truncated JPEG, a text file named .jpg and an
 * empty .png. With `grayscale`, adds a class of single-channel JPEGs (skimage's camera).
 */
export async function makePhotoFolder(
  dir,
  { perClass = 4, classes = photoClasses.length, seed = 0, corrupt = false, grayscale = false } = {},
) {
  const random = generator(seed);
  const sources = photoClasses.slice(0, classes).map((name) => ({ name, path: join(skimageDataDir, name) }));
  if (grayscale) sources.push({ name: 'camera.png', path: join(skimageDataDir, 'camera.png') });
  for (const { name, path } of sources) {
    const classDir = join(dir, name.replace(/\.\w+$/, ''));
    await mkdir(classDir, { recursive: true });
    const { width, height } = await sharp(path).metadata();
    for (let i = 0; i < perClass; i++) {
      const [outWidth, outHeight] = random() < 0.75 ? [500, 375] : [375, 500];
      // Scale so the output fits, then up to 2× more, then cut at a random position.
      const fit = Math.max(outWidth / width, outHeight / height);
      const scale = fit * (1 + random());
      const scaledWidth = Math.ceil(width * scale);
      const scaledHeight = Math.ceil(height * scale);
      const left = Math.floor(random() * (scaledWidth - outWidth + 1));
      const top = Math.floor(random() * (scaledHeight - outHeight + 1));
      let image = sharp(path)
        .resize(scaledWidth, scaledHeight)
        .extract({ left, top, width: outWidth, height: outHeight });
      if (name === 'camera.png') image = image.toColourspace('b-w');
      await image.jpeg({ quality: 90 }).toFile(join(classDir, `${String(i).padStart(5, '0')}.jpg`));
    }
  }
  if (corrupt) {
    const classDir = join(dir, photoClasses[0].replace(/\.\w+$/, ''));
    await copyFile(join(skimageDataDir, 'truncated.jpg'), join(classDir, 'truncated.jpg'));
    await writeFile(join(classDir, 'not-an-image.jpg'), 'this is a text file, not a JPEG\n');
    await writeFile(join(classDir, 'empty.png'), '');
  }
  return dir;
}
