// Paths of the package under test. Child processes use the compiled dist/ (built by pretest).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const distIndex = join(root, 'dist', 'index.js');
export const distOps = join(root, 'dist', 'entries', 'ops.js');
export const distModels = join(root, 'dist', 'entries', 'models.js');
export const cli = join(root, 'bin', 'mveb-torch.js');
/** The authors' MVEB code transcribed in Python (test/reference/mveb_authors.py): the method's oracle. */
export const authorsReference = join(root, 'test', 'reference', 'mveb_authors.py');
