// The epoch sampler: seeded shuffles, drop-last, sharding by rank, resuming mid-epoch.
import t from 'tap';
import { EpochSampler } from '../../lib/data/sampler.js';

const all = (s: EpochSampler, epoch: number) => [...s.batches(epoch)].flatMap((b) => b.indices);

t.test('each epoch is a seeded permutation; epochs and seeds differ', async (t) => {
  const s = new EpochSampler({ length: 100, batchSize: 10, seed: 3 });
  const e0 = all(s, 0);
  t.same(
    [...e0].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
    'every image once',
  );
  t.same(all(new EpochSampler({ length: 100, batchSize: 10, seed: 3 }), 0), e0, 'same seed, same order');
  t.notSame(all(s, 1), e0, 'another epoch, another order');
  t.notSame(all(new EpochSampler({ length: 100, batchSize: 10, seed: 4 }), 0), e0, 'another seed, another order');
  t.same(all(new EpochSampler({ length: 7, batchSize: 7, shuffle: false }), 5), [0, 1, 2, 3, 4, 5, 6], 'no shuffle');
});

t.test('drop-last drops the incomplete batch; without it the last batch is short', async (t) => {
  const dropping = new EpochSampler({ length: 105, batchSize: 10 });
  t.equal(dropping.batchesPerEpoch, 10);
  t.ok([...dropping.batches(0)].every((b) => b.indices.length === 10));
  const keeping = new EpochSampler({ length: 105, batchSize: 10, dropLast: false });
  t.equal(keeping.batchesPerEpoch, 11);
  t.equal(keeping.batch(0, 10).length, 5);
  t.equal(new Set(all(keeping, 0)).size, 105);
});

t.test('sharding: ranks see disjoint indices whose union is the epoch', async (t) => {
  for (const [length, worldSize, dropLast] of [
    [1000, 4, true],
    [1003, 3, true],
    [1003, 3, false],
    [50, 7, false],
  ] as const) {
    const batchSize = 8;
    const single = new EpochSampler({ length, batchSize: batchSize * worldSize, seed: 11, dropLast });
    const ranks = Array.from(
      { length: worldSize },
      (_, rank) => new EpochSampler({ length, batchSize, seed: 11, dropLast, rank, worldSize }),
    );
    const label = `length ${length}, world ${worldSize}, dropLast ${dropLast}`;
    t.ok(
      ranks.every((r) => r.batchesPerEpoch === single.batchesPerEpoch),
      `${label}: same number of steps on every rank`,
    );
    const seen = ranks.map((r) => all(r, 2));
    const union = seen.flat();
    t.equal(new Set(union).size, union.length, `${label}: disjoint`);
    t.same(
      [...union].sort((a, b) => a - b),
      [...all(single, 2)].sort((a, b) => a - b),
      `${label}: union is the epoch`,
    );
    for (let b = 0; b < single.batchesPerEpoch; b++) {
      const global = ranks.flatMap((r) => r.batch(2, b));
      t.same(global, single.batch(2, b), `${label}: global batch ${b} is the unsharded batch`);
    }
  }
});

t.test('resuming from a position continues the same epoch', async (t) => {
  const s = new EpochSampler({ length: 64, batchSize: 8, seed: 1 });
  const full = [...s.batches(3)];
  const resumed = [...new EpochSampler({ length: 64, batchSize: 8, seed: 1 }).batches(3, 5)];
  t.same(resumed, full.slice(5));
  t.equal(resumed[0]!.index, 5);
});

t.test('bad options are refused with a message naming them', async (t) => {
  t.throws(() => new EpochSampler({ length: 10, batchSize: 0 }), /batchSize must be an integer >= 1/);
  t.throws(
    () => new EpochSampler({ length: 10, batchSize: 2, rank: 2, worldSize: 2 }),
    /rank 2 is not below worldSize 2/,
  );
  t.throws(
    () => new EpochSampler({ length: 10, batchSize: 8, worldSize: 2 }),
    /10 images, fewer than one global batch of 16/,
  );
  t.throws(() => new EpochSampler({ length: 10, batchSize: 2 }).batch(0, 5), /batch 5 is outside 0\.\.4/);
});
