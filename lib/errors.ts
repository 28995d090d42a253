// Errors about what the user gave (a path, a setting), as opposed to bugs: the CLI prints
// their message alone, without a stack trace.
export class InputError extends Error {
  override name = 'InputError';
}
