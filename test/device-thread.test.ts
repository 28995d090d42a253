// Heavy native calls run on the device thread: the event loop stays free,
// and the libuv pool (which sharp and fs need) is not used.
import { execFileSync, spawnSync } from 'node:child_process';
import t from 'tap';
import { Tensor } from '../lib/entries/ops.js';
import * as ops from '../lib/entries/ops.js';
import { distOps, root } from './helpers/paths.js';

t.test('a device-thread Promise resolves while the event loop keeps serving timers', async (t) => {
  const a = await Tensor.randn([1200, 1200], { seed: 1 });
  let ticks = 0;
  let last = performance.now();
  let worstGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
    ticks++;
  }, 2);
  const started = performance.now();
  let product = a;
  for (let i = 0; i < 6; i++) product = await ops.matmul(product, a);
  const elapsed = performance.now() - started;
  clearInterval(timer);
  t.ok(elapsed > 100, `the work is long enough to notice blocking (${elapsed.toFixed(0)} ms)`);
  t.ok(ticks >= 10, `timers fired ${ticks} times during the work`);
  t.ok(worstGap < elapsed / 3, `worst timer gap ${worstGap.toFixed(1)} ms is far below the work time`);
  t.same(product.shape, [1200, 1200]);
});

t.test('device work does not wait for a busy libuv thread pool', async (t) => {
  // One libuv thread, kept busy by pbkdf2 for ~2 s: a Promise served by the pool would wait for it.
  const script = `
    import crypto from 'node:crypto';
    const ops = await import(${JSON.stringify(distOps)});
    const { Tensor } = ops;
    const a = Tensor.fromArray(new Float32Array(64 * 64).fill(1), [64, 64]);
    await ops.matmul(a, a); // warm up
    let poolDone = false;
    const started = performance.now();
    const pool = new Promise((resolve) => crypto.pbkdf2('x', 'y', 3_000_000, 32, 'sha512', () => { poolDone = true; resolve(); }));
    await new Promise((r) => setTimeout(r, 50));
    const c = await ops.matmul(a, a);
    const native = performance.now() - started;
    const sum = Array.from(await c.toArray()).reduce((x, y) => x + y, 0);
    const poolBusyAtNativeDone = !poolDone;
    await pool;
    console.log(JSON.stringify({ poolBusyAtNativeDone, native, total: performance.now() - started, sum }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    encoding: 'utf8',
  }).trim();
  const result = JSON.parse(out.split('\n').pop()!) as Record<string, number | boolean>;
  t.equal(result.sum, 64 * 64 * 64, 'the device result is right');
  t.equal(
    result.poolBusyAtNativeDone,
    true,
    `native work finished in ${Number(result.native).toFixed(0)} ms, ` +
      `while the pool stayed busy for ${Number(result.total).toFixed(0)} ms`,
  );
});

t.test('device calls settle in submission order and errors reject only their own Promise', async (t) => {
  const a = Tensor.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
  const bad = Tensor.fromArray(new Float32Array(3), [3, 1]);
  const order: string[] = [];
  const results = await Promise.allSettled([
    ops.matmul(a, a).then(() => order.push('first')),
    ops.matmul(a, bad).then(() => order.push('bad')),
    ops.matmul(a, a).then(() => order.push('third')),
  ]);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.same(order, ['first', 'third']);
  t.match((results[1] as PromiseRejectedResult).reason.message, /^matmul: .*2x2 and 3x1/);
});

t.test('an idle device thread does not keep the process alive', async (t) => {
  const script = `
    const { Tensor } = await import(${JSON.stringify(distOps)});
    await Tensor.randn([4], { seed: 1 });
    console.log('done');
  `;
  // A process kept alive would be killed at the timeout: status null, signal SIGTERM.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(result.signal, null, 'not killed at the timeout: it exited by itself');
  t.equal(result.status, 0, result.stderr);
  t.equal(result.stdout.trim(), 'done');
});

t.test('worker threads each get a device thread, and terminating one mid-call does not crash', async (t) => {
  const script = `
    import { Worker } from 'node:worker_threads';
    const code = \`
      const ops = await import(${JSON.stringify(distOps)});
    const { Tensor } = ops;
      const { parentPort } = await import('node:worker_threads');
      const a = await Tensor.randn([300, 300], { seed: 1 });
      parentPort.postMessage((await ops.matmul(a, a)).shape);
      ops.matmul(a, a); // still pending when the worker is terminated
    \`;
    for (let i = 0; i < 3; i++) {
      const worker = new Worker(code, { eval: true, type: 'module' });
      const shape = await new Promise((resolve, reject) => {
        worker.on('message', (m) => worker.terminate().then(() => resolve(m)));
        worker.on('error', reject);
      });
      console.log(JSON.stringify(shape));
    }
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.same(
    out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [
      [300, 300],
      [300, 300],
      [300, 300],
    ],
  );
});

t.test("a failing native call rejects with the caller's stack: the user's line, not the device thread's", async (t) => {
  async function callerOfTheFailingCall() {
    return ops.matmul(Tensor.fromArray(new Float32Array(6), [2, 3]), Tensor.fromArray(new Float32Array(6), [2, 3]));
  }
  const error = (await callerOfTheFailingCall().catch((e: unknown) => e)) as Error;
  t.type(error, Error);
  t.match(error.message, /^matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)$/);
  const lines = error.stack!.split('\n');
  t.equal(lines[0], `Error: ${error.message}`);
  t.match(
    error.stack!,
    /callerOfTheFailingCall .*test[/\\]device-thread\.test\.ts:\d+/,
    'names this file and function',
  );
  // A rejection from a later failing call has its own stack, not the first one's.
  const second = (await Tensor.loadNpy('/nonexistent/x.npy').catch((e: unknown) => e)) as Error;
  t.match(second.stack!, /^Error: loadNpy: cannot open '\/nonexistent\/x\.npy'/);
  t.notMatch(second.stack!, /callerOfTheFailingCall/);
});
