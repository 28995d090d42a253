// IDX reading on Debian's Fashion-MNIST, checked against Python's own parse of the same files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { fashionMnistFiles, readIdx } from '../../lib/entries/data.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

t.test(
  'Fashion-MNIST images and labels read as Python reads them',
  { skip: withoutFashionMnist('t10k') },
  async (t) => {
    const files = fashionMnistFiles('t10k');
    const images = await readIdx(files.images);
    const labels = await readIdx(files.labels);
    t.same(images.shape, [10000, 28, 28]);
    t.same(labels.shape, [10000]);
    const expected = JSON.parse(
      runPython(
        `import gzip, json, sys, numpy as np
img = np.frombuffer(gzip.open(sys.argv[1]).read(), np.uint8, offset=16)
lab = np.frombuffer(gzip.open(sys.argv[2]).read(), np.uint8, offset=8)
print(json.dumps({"sum": int(img.astype(np.int64).sum()), "first": img[:784].tolist(), "labels": np.bincount(lab).tolist()}))`,
        [files.images, files.labels],
      ),
    ) as { sum: number; first: number[]; labels: number[] };
    t.equal(
      images.data.reduce((s, x) => s + x, 0),
      expected.sum,
      'same pixel sum',
    );
    t.same(Array.from(images.data.subarray(0, 784)), expected.first, 'same first image');
    const counts = new Array(10).fill(0);
    for (const label of labels.data) counts[label]++;
    t.same(counts, expected.labels, 'same label histogram');
  },
);

t.test('files that are not IDX, or truncated, are refused with the path and the problem', async (t) => {
  const dir = tempDir(t);
  const notIdx = join(dir, 'a.gz');
  writeFileSync(notIdx, gzipSync(Buffer.from('hello')));
  await t.rejects(readIdx(notIdx), { message: `${notIdx}: not an IDX file (bad magic)` });
  const floats = join(dir, 'b');
  writeFileSync(floats, Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]));
  await t.rejects(readIdx(floats), /IDX element type 0xd is not unsigned byte/);
  const short = join(dir, 'c');
  writeFileSync(short, Buffer.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]));
  await t.rejects(readIdx(short), /IDX shape \[2, 2\] needs 4 bytes of data, file has 3/);
});
