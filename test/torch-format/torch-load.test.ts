// Reading what Python's torch.save writes, without Python: dtypes, views, nesting, errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Tensor } from '../../lib/entries/ops.js';
import { loadPth, savePth } from '../../lib/entries/models.js';
import { torchLoad } from '../../lib/torch-format/torch-load.js';
import { runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { values } from '../helpers/values.js';

t.test('a checkpoint-like dict from torch.save: nested dicts, numbers, strings, every dtype, views', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'ckpt.pth');
  runPython(
    `import sys, collections, torch
base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
sd = collections.OrderedDict([("w", base), ("wt", base.t()), ("slice", base[1:, 2:]),
  ("half", torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16)),
  ("bf16", torch.tensor([1.5, -3.0], dtype=torch.bfloat16)),
  ("i32", torch.tensor([-7, 8], dtype=torch.int32)), ("b", torch.tensor([True, False])),
  ("i64", torch.tensor([2**40], dtype=torch.int64)), ("u8", torch.tensor([255], dtype=torch.uint8)),
  ("f64", torch.tensor([0.1], dtype=torch.float64)), ("scalar", torch.tensor(3.5))])
torch.save({"model": sd, "epoch": 3, "name": "run", "lrs": [0.1, 0.2], "p": torch.nn.Parameter(torch.ones(2))}, sys.argv[1])`,
    [path],
  );
  const loaded = (await torchLoad(path)) as Map<string, unknown>;
  t.equal(loaded.get('epoch'), 3);
  t.equal(loaded.get('name'), 'run');
  t.same(loaded.get('lrs'), [0.1, 0.2]);
  const sd = await loadPth(path);
  t.same(Object.keys(sd), [
    'model.w',
    'model.wt',
    'model.slice',
    'model.half',
    'model.bf16',
    'model.i32',
    'model.b',
    'model.i64',
    'model.u8',
    'model.f64',
    'model.scalar',
    'p',
  ]);
  t.same(sd['model.wt']!.shape, [4, 3]);
  t.same(
    await values(sd['model.wt']!),
    [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11],
    'transposed view read in logical order',
  );
  t.same(await values(sd['model.slice']!), [6, 7, 10, 11], 'offset view');
  t.same(await values(sd['model.half']!), [1.5, -2.25, 65504]);
  t.equal(sd['model.half']!.dtype, 'float32');
  t.same(await values(sd['model.bf16']!), [1.5, -3]);
  t.same(await values(sd['model.i32']!), [-7n, 8n]);
  t.same(await values(sd['model.b']!), [1, 0]);
  t.same(await values(sd['model.i64']!), [2n ** 40n]);
  t.same(await values(sd['model.u8']!), [255]);
  t.same(await values(sd['model.f64']!), [0.1]);
  t.same(sd['model.scalar']!.shape, []);
  t.same(await values(sd['p']!), [1, 1]);
});

t.test('savePth writes what torch.load reads, and loadPth reads it back', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'ours.pth');
  await savePth(path, {
    'a.weight': Tensor.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]),
    'a.num_batches_tracked': Tensor.fromArray(new BigInt64Array([5n]), []),
  });
  const seen = runPython(
    'import sys, torch; d = torch.load(sys.argv[1]); print(list(d.keys()), d["a.weight"].tolist(), int(d["a.num_batches_tracked"]))',
    [path],
  );
  t.equal(seen.trim(), "['a.weight', 'a.num_batches_tracked'] [[1.0, 2.0], [3.0, 4.0]] 5");
  const back = await loadPth(path);
  t.same(await values(back['a.weight']!), [1, 2, 3, 4]);
  t.same(await values(back['a.num_batches_tracked']!), [5n]);
});

t.test('files that are not zip-format torch.save files are refused with the path and the reason', async (t) => {
  const dir = tempDir(t);
  const text = join(dir, 'text.pth');
  writeFileSync(text, 'not a checkpoint at all');
  await t.rejects(loadPth(text), /text\.pth: not a zip-format torch\.save file/);
  const legacy = join(dir, 'legacy.pth');
  runPython('import sys, torch; torch.save({"x": torch.ones(1)}, sys.argv[1], _use_new_zipfile_serialization=False)', [
    legacy,
  ]);
  await t.rejects(loadPth(legacy), /legacy\.pth: not a zip-format torch\.save file \(written by PyTorch < 1\.6/);
  const empty = join(dir, 'empty.pth');
  runPython('import sys, torch; torch.save({"epoch": 1}, sys.argv[1])', [empty]);
  await t.rejects(loadPth(empty), /empty\.pth: holds no tensors/);
});
