import type { AbortOptions } from './abort-options.js';
import { FsError } from './fs-error.js';

/** Throws `FsError('aborted')` when the options' signal is already aborted. */
export function throwIfAborted(options: AbortOptions | undefined, path?: string): void {
  if (options?.signal?.aborted === true) {
    throw new FsError('aborted', 'The operation was aborted', { path, cause: options.signal.reason });
  }
}
