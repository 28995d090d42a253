// ImageFolder: torchvision's layout and order, the cached file list, refusals of bad paths.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ImageFolder } from '../../lib/data/image-folder.js';
import { oraclePython } from '../helpers/python.js';
import { execFileSync } from 'node:child_process';
import { tempDir } from '../helpers/tmp.js';

function makeTree(root: string): void {
  for (const [dir, files] of [
    ['zebra', ['b.JPG', 'a.png', 'notes.txt']],
    ['ant', ['2.webp', '10.jpeg', '.hidden.jpg']],
    ['ant/nested', ['x.jpg']],
    ['.cache', ['ignored.jpg']],
    ['moth', []],
  ] as const) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const f of files) writeFileSync(join(root, dir, f), 'x');
  }
}

t.test('classes sorted, files sorted per class, labels by class: the order torchvision uses', async (t) => {
  const root = tempDir(t);
  makeTree(root);
  const folder = await ImageFolder.open(root, { cacheDir: false });
  t.same(folder.classes, ['ant', 'moth', 'zebra']);
  const paths = Array.from(
    { length: folder.length },
    (_, i) => folder.source.kind === 'files' && folder.source.path(i),
  );
  t.same(
    paths,
    ['10.jpeg', '2.webp', 'nested/x.jpg']
      .map((f) => join(root, 'ant', f))
      .concat(['a.png', 'b.JPG'].map((f) => join(root, 'zebra', f))),
  );
  t.same(
    Array.from({ length: folder.length }, (_, i) => folder.label(i)),
    [0, 0, 0, 2, 2],
  );
  // torchvision's own listing of the same tree (it refuses empty classes: give moth an image).
  writeFileSync(join(root, 'moth', 'm.png'), 'x');
  const withMoth = await ImageFolder.open(root, { cacheDir: false });
  const reference = JSON.parse(
    execFileSync(
      oraclePython,
      [
        '-c',
        `
import json, sys
from torchvision.datasets.folder import find_classes, make_dataset
classes, index = find_classes(sys.argv[1])
print(json.dumps({'classes': classes, 'samples': make_dataset(sys.argv[1], index, extensions=('.jpg', '.jpeg', '.png', '.webp'))}))
`,
        root,
      ],
      { encoding: 'utf8' },
    ),
  );
  const ourPaths = Array.from(
    { length: withMoth.length },
    (_, i) => withMoth.source.kind === 'files' && withMoth.source.path(i),
  );
  t.same(
    withMoth.classes,
    reference.classes.filter((c: string) => !c.startsWith('.')),
  );
  const visible = reference.samples.filter(([p]: [string]) => !p.includes('/.'));
  t.same(
    ourPaths,
    visible.map(([p]: [string]) => p),
    'same files in the same order as torchvision (hidden entries aside)',
  );
});

t.test('the file list is cached, and rescanned when a directory changes', async (t) => {
  const root = tempDir(t);
  const cacheDir = tempDir(t);
  makeTree(root);
  const first = await ImageFolder.open(root, { cacheDir });
  t.equal(first.fromCache, false);
  const second = await ImageFolder.open(root, { cacheDir });
  t.equal(second.fromCache, true, 'second open reads the cache');
  t.equal(second.length, first.length);
  t.equal(
    second.source.kind === 'files' && second.source.path(2),
    first.source.kind === 'files' && first.source.path(2),
  );
  writeFileSync(join(root, 'moth', 'new.jpg'), 'x');
  utimesSync(join(root, 'moth'), new Date(), new Date(Date.now() + 5000)); // coarse-mtime filesystems
  const third = await ImageFolder.open(root, { cacheDir });
  t.equal(third.fromCache, false, 'a changed directory invalidates the cache');
  t.equal(third.length, first.length + 1);
  t.equal((await ImageFolder.open(root, { cacheDir })).fromCache, true);
});

t.test('a missing path, a folder without classes or without images is refused clearly', async (t) => {
  const root = tempDir(t);
  await t.rejects(ImageFolder.open(join(root, 'nope'), { cacheDir: false }), /data path does not exist: .*nope/);
  writeFileSync(join(root, 'file.jpg'), 'x');
  await t.rejects(ImageFolder.open(join(root, 'file.jpg'), { cacheDir: false }), /data path is not a directory/);
  await t.rejects(
    ImageFolder.open(root, { cacheDir: false }),
    /no class sub-folders in .*\(expected .*<class>\/<image>/,
  );
  mkdirSync(join(root, 'empty-class'));
  await t.rejects(
    ImageFolder.open(root, { cacheDir: false }),
    /no images found under .*\.jpg \.jpeg \.png \.webp in 1 class folders/,
  );
});
