// Errors the CLI prints as their message alone, without a stack trace: what the user gave
// (a path, a setting) or what the machine refused (a full disk), as opposed to bugs.
export class InputError extends Error {
  override name = 'InputError';
}

/** A file-system failure: one line naming the action, the path and the system's reason. */
export class FileError extends InputError {
  override name = 'FileError';
}

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  ENOTDIR: 'a path component is a file, not a directory',
  EEXIST: 'it exists',
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EIO: 'input/output error',
};

/** `cannot <action> <path>: <reason> (<code>)` from a Node fs error; other errors pass through. */
export function fileError(action: string, path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code) return error as Error;
  return new FileError(`cannot ${action} ${path}: ${reasons[code] ?? (error as Error).message} (${code})`);
}

/**
 * A data-parallel job could not form: a rank never joined, or the store did not answer. One line
 * naming the ranks and the address; nothing in the run directory changed.
 */
export class RendezvousError extends InputError {
  override name = 'RendezvousError';
}

/** The native addon could not be found or loaded; the message says what to do. */
export class NativeAddonError extends Error {
  override name = 'NativeAddonError';
}
