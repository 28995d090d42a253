// The features of a backbone exported by `mveb-torch export --format onnx`, in Node with
// onnxruntime-node: images in (a float32 .npy [N, 3, H, W], normalised as the training views),
// features out (a float32 .npy [N, D]).
//   node features.mjs MODEL.onnx IMAGES.npy [FEATURES.npy]
import { readFile, writeFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';

/** A float32, C-order .npy file: its shape and values. */
function readNpy(bytes) {
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not a .npy file');
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.toString('latin1', major === 1 ? 10 : 12, start);
  if (!/'descr': '<f4'/.test(header) || /'fortran_order': True/.test(header))
    throw new Error(`need float32 in C order, got ${header.trim()}`);
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)[1]
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  return { shape, values };
}

function npy(shape, values) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([
    prefix,
    Buffer.from(header, 'latin1'),
    Buffer.from(values.buffer, values.byteOffset, values.byteLength),
  ]);
}

const [modelPath, imagesPath, outPath = 'features.npy'] = process.argv.slice(2);
if (!modelPath || !imagesPath) {
  console.error('usage: node features.mjs MODEL.onnx IMAGES.npy [FEATURES.npy]');
  process.exit(2);
}
const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
const { shape, values } = readNpy(await readFile(imagesPath));
const { features } = await session.run({ images: new ort.Tensor('float32', values, shape) });
await writeFile(outPath, npy(features.dims, features.data));
console.log(`${modelPath}: ${shape.join('×')} images → features ${features.dims.join('×')} in ${outPath}`);
