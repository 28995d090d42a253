// The worker pool reports a crashed worker to every task instead of hanging.
import t from 'tap';
import { WorkerPool } from '../../lib/data/worker-pool.js';

t.test('a worker that crashes rejects the task and later ones with its error', async (t) => {
  const pool = new WorkerPool<{ id: number }, { id: number }>(
    new URL('./fixtures/crashing-worker.mjs', import.meta.url),
    2,
    {},
    'test worker',
  );
  await t.rejects(pool.run({ id: 1 }), /test worker crashed: boom: this worker cannot start/);
  await t.rejects(pool.run({ id: 2 }), /boom: this worker cannot start/);
  await pool.close();
  await t.rejects(pool.run({ id: 3 }), /test worker pool is closed/);
});
