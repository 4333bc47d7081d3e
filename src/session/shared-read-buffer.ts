import type { Socket } from 'node:net';
import { findReadInternals } from '../transfer/index.js';

/** Bytes per socket read, as libuv reads by default. */
const READ_BYTES = 64 * 1024;

/**
 * One read buffer for every control connection. A read is delivered synchronously to the
 * connection it came from, which decodes it before returning (an unfinished line is copied
 * into the decoder's own buffer), and the event loop reads one socket at a time: so no two
 * reads ever use it at once, and an idle connection holds none.
 */
let shared: Buffer | undefined;

/**
 * Makes a plain TCP socket hand its reads to `deliver` (called with the socket as `this` and
 * the number of bytes read into `buffer`, so one function serves every connection) from the
 * {@link shared} buffer, the way Node's `onread` option does for client sockets (an accepted
 * socket cannot be given the option). That skips, per read, a new 64 KiB buffer, the
 * `Readable` machinery and its `nextTick`. `deliver` must be done with the bytes when it
 * returns, and returns false to stop reading (as `push()` would). Pausing and resuming the
 * socket work as usual; the end of the stream still comes as the `end` event. Returns false
 * where the machinery is missing (TLS, another Node version): the socket then emits 'data'.
 */
export function readIntoSharedBuffer(socket: Socket, deliver: (this: Socket, length: number, buffer: Buffer) => boolean): boolean {
  const internals = findReadInternals(socket);
  if (internals === undefined) return false;
  shared ??= Buffer.allocUnsafeSlow(READ_BYTES);
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[internals.kBuffer] = shared;
  fields[internals.kBufferCb] = deliver;
  internals.handle.useUserBuffer(shared);
  return true;
}
