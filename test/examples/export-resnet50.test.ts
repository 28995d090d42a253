// examples/export-resnet50.mjs runs, and the Python line it prints loads the weights.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { oraclePython } from '../helpers/python.js';
import { root } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

t.test('the printed one-liner loads the saved backbone into torchvision with only fc.* missing', async (t) => {
  const out = join(tempDir(t), 'r50.pth');
  const printed = execFileSync(process.execPath, [join(root, 'examples', 'export-resnet50.mjs'), out], {
    encoding: 'utf8',
  });
  t.match(printed, /ResNet-50 backbone: 23\.51M parameters/);
  const command = printed.trim().split('\n').pop()!;
  const match = command.match(/^python3 -c "(.*)"$/);
  t.ok(match, 'the last line is a python3 -c command');
  const result = execFileSync(oraclePython, ['-c', match![1]!], { encoding: 'utf8' });
  t.equal(result.trim(), "_IncompatibleKeys(missing_keys=['fc.weight', 'fc.bias'], unexpected_keys=[])");
});
