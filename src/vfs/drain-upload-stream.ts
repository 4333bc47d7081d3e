import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type FsError, isFsError } from './fs-error.js';

/**
 * Ends an upload's writable (unless it already ended or was destroyed) and waits until every
 * chunk reached the backend, so `commit()` publishes only complete data. A failure that is
 * not already an {@link FsError} goes through `toError`, which each backend maps its own way.
 *
 * @internal Shared by the local and memory write handles; not re-exported.
 */
export async function drainUploadStream(stream: Writable | undefined, toError: (error: unknown) => FsError): Promise<void> {
  if (stream === undefined || stream.writableFinished) return;
  if (!stream.writableEnded && !stream.destroyed) stream.end();
  try {
    await finished(stream);
  } catch (error: unknown) {
    throw isFsError(error) ? error : toError(error);
  }
}
