// Types of flavours.mjs, for the tests (the script stays plain JS: pack and the builds run it before tsc).
export interface Flavour {
  name: string;
  libtorch: string;
  from: 'system' | 'venv' | 'gpu-machine';
  torchVersion?: string;
  requirements?: string[];
  noDeps?: string[];
}
export const FLAVOURS: Flavour[];
export function flavourNamed(name: string): Flavour;
export function buildDirOf(flavour: Flavour): string;
export function venvOf(flavour: Flavour): string;
