import type { Socket } from 'node:net';

/** Bytes per socket read, as libuv reads by default. */
const READ_BYTES = 64 * 1024;

/**
 * One read buffer for every control connection. A read is delivered synchronously to the
 * connection it came from, which decodes it before returning (an unfinished line is copied
 * into the decoder's own buffer), and the event loop reads one socket at a time: so no two
 * reads ever use it at once, and an idle connection holds none.
 */
let shared: Buffer | undefined;

interface ReadInternals {
  readonly handle: { useUserBuffer(buffer: Uint8Array): void };
  readonly kBuffer: symbol;
  readonly kBufferCb: symbol;
  readonly kBufferGen: symbol;
}

/** The machinery behind `net.Socket`'s `onread` option, where this Node version has it (as `socket-arena-reader` in transfer finds it). */
function internalsOf(socket: Socket): ReadInternals | undefined {
  // TLS sockets decrypt through buffers of their own; a socket holding data keeps 'data' events.
  if ('encrypted' in socket || socket.readableLength > 0) return undefined;
  const handle = (socket as { _handle?: { useUserBuffer?: unknown } | null })._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return undefined;
  const symbols = Object.getOwnPropertySymbols(socket);
  const find = (name: string): symbol | undefined => symbols.find((s) => s.description === name);
  const kBuffer = find('kBuffer');
  const kBufferCb = find('kBufferCb');
  const kBufferGen = find('kBufferGen');
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return undefined;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return undefined;
  return { handle: handle as ReadInternals['handle'], kBuffer, kBufferCb, kBufferGen };
}

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
  const internals = internalsOf(socket);
  if (internals === undefined) return false;
  shared ??= Buffer.allocUnsafeSlow(READ_BYTES);
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[internals.kBuffer] = shared;
  fields[internals.kBufferCb] = deliver;
  internals.handle.useUserBuffer(shared);
  return true;
}
