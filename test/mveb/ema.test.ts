// EMA target update, in place.
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import * as ops from '../../lib/entries/ops.js';
import { values } from '../helpers/values.js';

t.test('target ← m·target + (1 − m)·online for every tensor, in place', async (t) => {
  const target = [
    Tensor.fromArray(new Float64Array([1, 2, 3, 4]), [2, 2]),
    Tensor.fromArray(new Float64Array([10]), [1]),
  ];
  const online = [
    Tensor.fromArray(new Float64Array([0, 0, 1, 1]), [2, 2]),
    Tensor.fromArray(new Float64Array([20]), [1]),
  ];
  await ops.emaUpdate(target, online, 0.75);
  t.same(await values(target[0]!), [0.75, 1.5, 2.5, 3.25]);
  t.same(await values(target[1]!), [12.5]);
  t.same(await values(online[0]!), [0, 0, 1, 1], 'online untouched');
  await ops.emaUpdate(target, online, 1);
  t.same(await values(target[1]!), [12.5], 'm = 1 keeps the target');
  await ops.emaUpdate(target, online, 0);
  t.same(await values(target[1]!), [20], 'm = 0 copies the online weights');
});

t.test('mismatched lists and momentum outside [0, 1] are refused', async (t) => {
  const a = Tensor.fromArray(new Float32Array(2), [2]);
  const b = Tensor.fromArray(new Float32Array(3), [3]);
  await t.rejects(ops.emaUpdate([a], [a, a], 0.9), /emaUpdate: 1 target tensors but 2 online tensors/);
  await t.rejects(ops.emaUpdate([a], [b], 0.9), /tensor 0 has target shape \[2\] but online shape \[3\]/);
  await t.rejects(ops.emaUpdate([a], [a], 1.5), /momentum must be in \[0, 1\]/);
});
