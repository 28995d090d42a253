// The CPU block cache: large tensors are reused instead of returned to the kernel.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { info } from '../lib/index.js';
import { Tensor } from '../lib/entries/ops.js';
import * as ops from '../lib/entries/ops.js';
import { distIndex, distModels, distOps } from './helpers/paths.js';

t.test('large allocations go through the cache, and reused blocks hold the right values', async (t) => {
  const before = info().cpuCache;
  t.equal(before.installed, true);
  t.ok(before.limitBytes > 0);
  const a = await Tensor.randn([1024, 1024], { seed: 1 }); // 4 MiB
  for (let i = 0; i < 5; i++) await ops.matmul(a, a);
  const after = info().cpuCache;
  t.ok(after.misses > before.misses, 'large allocations went through the cache');
  t.ok(after.hits + after.misses > before.hits + before.misses);
  // Values are untouched by reuse.
  const identity = Tensor.fromArray(
    Float32Array.from({ length: 1024 * 1024 }, (_, i) => (i % 1025 === 0 ? 1 : 0)),
    [1024, 1024],
  );
  // Every value, not a few: a reused block handed out with stale contents would show anywhere.
  const product = (await (await ops.matmul(a, identity)).toArray()) as Float32Array;
  const original = (await a.toArray()) as Float32Array;
  t.ok(Buffer.from(product.buffer).equals(Buffer.from(original.buffer)), 'a × I equals a in all 1 048 576 values');
});

t.test('reuse happens within one native call: a loop of same-size temporaries hits the cache', async (t) => {
  const script = `
    const { info } = await import(${JSON.stringify(distIndex)});
    const { Tensor } = await import(${JSON.stringify(distOps)});
    const { createModel } = await import(${JSON.stringify(distModels)});
    const model = createModel({ arch: 'resnet18', projector: { hidden: 8, out: 8 } });
    const images = await Tensor.randn([8, 3, 64, 64], { seed: 1 });
    for (let i = 0; i < 3; i++) await model.forwardBackward(images);
    console.log(JSON.stringify(info().cpuCache));
  `;
  const stats = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  t.ok(stats.hits > stats.misses, `hits ${stats.hits} > misses ${stats.misses} over three identical steps`);
});

t.test('MVEB_CPU_ALLOCATOR=system keeps LibTorch’s own allocator', async (t) => {
  const script = `const { info } = await import(${JSON.stringify(distIndex)}); console.log(info().cpuCache.installed);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, MVEB_CPU_ALLOCATOR: 'system' },
  });
  t.equal(out.trim(), 'false');
});
