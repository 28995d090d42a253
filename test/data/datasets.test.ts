// The IDX (Fashion-MNIST) and synthetic datasets.
import t from 'tap';
import { fashionMnist, fashionMnistClasses, IdxDataset } from '../../lib/data/idx-dataset.js';
import { SyntheticDataset } from '../../lib/data/synthetic.js';
import { readIdx, fashionMnistFiles } from '../../lib/data/idx.js';
import { withoutFashionMnist } from '../helpers/requirements.js';

t.test(
  "Fashion-MNIST from Debian's dataset-fashion-mnist",
  { skip: withoutFashionMnist('train', 't10k') },
  async (t) => {
    const train = await fashionMnist('train');
    const test = await fashionMnist('test');
    t.equal(train.length, 60000);
    t.equal(test.length, 10000);
    t.same(train.classes, fashionMnistClasses);
    t.match(train.source, { kind: 'pixels', height: 28, width: 28, channels: 1, count: 60000 });
    t.ok(
      train.source.kind === 'pixels' && train.source.data.buffer instanceof SharedArrayBuffer,
      'pixels shared with workers',
    );
    const labels = await readIdx(fashionMnistFiles('train').labels);
    t.same(
      [0, 1, 59999].map((i) => train.label(i)),
      [0, 1, 59999].map((i) => labels.data[i]),
    );
    const counts = new Array(10).fill(0);
    for (let i = 0; i < test.length; i++) counts[test.label(i)]++;
    t.same(counts, new Array(10).fill(1000), 'balanced test split');
    await t.rejects(fashionMnist('train', '/nonexistent'), /Fashion-MNIST not found in \/nonexistent/);
    await t.rejects(IdxDataset.open({ images: '/nonexistent.gz' }), /IDX file not found: \/nonexistent\.gz/);
  },
);

t.test('synthetic data is a function of its seed', async (t) => {
  const a = new SyntheticDataset({ length: 20, height: 8, width: 12, seed: 5 });
  const b = new SyntheticDataset({ length: 20, height: 8, width: 12, seed: 5 });
  const c = new SyntheticDataset({ length: 20, height: 8, width: 12, seed: 6 });
  const bytes = (d: SyntheticDataset) => (d.source.kind === 'pixels' ? Buffer.from(d.source.data) : Buffer.alloc(0));
  t.equal(bytes(a).length, 20 * 8 * 12 * 3);
  t.ok(bytes(a).equals(bytes(b)));
  t.notOk(bytes(a).equals(bytes(c)));
  t.ok(Array.from({ length: 20 }, (_, i) => a.label(i)).every((l) => l >= 0 && l < 10));
  t.throws(() => new SyntheticDataset({ length: 0 }), /length must be a positive integer/);
});
