import type { Duplex } from 'node:stream';

/** Bytes per socket read, as libuv reads by default. */
export const ARENA_REGION = 64 * 1024;
const REGION = ARENA_REGION;

/** Reads of one plain TCP socket into a reused arena; see {@link readIntoArena}. */
export interface ArenaReader {
  /** Gives back a chunk delivered to `onChunk` once it is no longer needed. Call in delivery order. */
  release(chunk: Buffer): void;
  /** Stops delivering: later reads are dropped. Call only when no delivered chunk is needed any more. */
  detach(): void;
}

/**
 * The machinery behind `net.Socket`'s `onread` option, as {@link findReadInternals} finds it.
 * @internal Shared with the session's control-connection reader; not part of the API.
 */
export interface ReadInternals {
  readonly handle: { useUserBuffer(buffer: Uint8Array): void };
  readonly kBuffer: symbol;
  readonly kBufferCb: symbol;
  readonly kBufferGen: symbol;
}

type ReadSymbols = Pick<ReadInternals, 'kBuffer' | 'kBufferCb' | 'kBufferGen'>;

/** The symbols as found on the first socket: Node's `net` module uses the same three for every socket. */
let knownSymbols: ReadSymbols | undefined;

/**
 * The socket's `kBuffer`/`kBufferCb`/`kBufferGen` symbols. Searched among its own symbols
 * once (an array of them and three searches, per upload before); later sockets are only
 * checked to carry the same three.
 */
function readSymbolsOf(socket: Duplex): ReadSymbols | undefined {
  const known = knownSymbols;
  if (known !== undefined && Object.hasOwn(socket, known.kBuffer) && Object.hasOwn(socket, known.kBufferCb) && Object.hasOwn(socket, known.kBufferGen)) return known;
  const symbols = Object.getOwnPropertySymbols(socket);
  const find = (name: string): symbol | undefined => symbols.find((s) => s.description === name);
  const kBuffer = find('kBuffer');
  const kBufferCb = find('kBufferCb');
  const kBufferGen = find('kBufferGen');
  if (kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined) return undefined;
  knownSymbols = { kBuffer, kBufferCb, kBufferGen };
  return knownSymbols;
}

/**
 * The machinery behind `onread` of a plain TCP socket, where this Node version has it and
 * nobody uses it yet; undefined for TLS, another Node, or a socket holding unread data.
 * @internal Shared with the session's control-connection reader; not part of the API.
 */
export function findReadInternals(socket: Duplex): ReadInternals | undefined {
  // TLS sockets decrypt through their own buffers; this is for plain TCP only.
  if ('encrypted' in socket || socket.readableLength > 0) return undefined;
  const handle = (socket as { _handle?: { useUserBuffer?: unknown } | null })._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return undefined;
  const symbols = readSymbolsOf(socket);
  if (symbols === undefined) return undefined;
  const { kBuffer, kBufferCb, kBufferGen } = symbols;
  const fields = socket as unknown as Record<symbol, unknown>;
  // Already reading into a buffer of someone else's: leave it alone.
  if (fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null) return undefined;
  return { handle: handle as ReadInternals['handle'], kBuffer, kBufferCb, kBufferGen };
}

/**
 * Makes a plain TCP socket read into regions of one reused arena (`arena`: its size, or a
 * buffer to use, e.g. from a pooled lease, which must not be reused before the socket is
 * destroyed), the way
 * Node's public `onread` option of `net.Socket` does for client sockets (accepted sockets
 * cannot be given that option). Every read otherwise allocates a fresh 64 KiB buffer, and
 * that external memory makes V8 run a full garbage collection every few dozen MiB, which
 * costs about as much CPU as the rest of an upload. Each read is handed to `onChunk` (a view
 * of a region, or of a fresh buffer when every region is still in use); `onChunk` returns
 * false to pause reading, as `push()` would.
 *
 * This uses the machinery behind `onread` (`_handle.useUserBuffer` and the socket's
 * `kBuffer`/`kBufferCb`/`kBufferGen` fields). When any of it is missing (TLS, another Node
 * version, a socket with buffered data), it returns undefined and the caller uses 'data'
 * events.
 */
export function readIntoArena(socket: Duplex, arenaOrBytes: number | Buffer, onChunk: (chunk: Buffer) => boolean): ArenaReader | undefined {
  const internals = findReadInternals(socket);
  if (internals === undefined) return undefined;
  const given = typeof arenaOrBytes === 'number' ? undefined : arenaOrBytes;
  const count = Math.max(2, Math.floor((given?.length ?? (arenaOrBytes as number)) / REGION));
  if (given !== undefined && given.length < count * REGION) return undefined;
  const arena = given ?? Buffer.allocUnsafeSlow(count * REGION);
  let head = 0;
  let inUse = 0;
  const next = (): Buffer => {
    // A region is free again only once released; with all in use, a fresh buffer is safe.
    if (inUse >= count) return Buffer.allocUnsafe(REGION);
    const region = arena.subarray(head * REGION, (head + 1) * REGION);
    head = (head + 1) % count;
    inUse++;
    return region;
  };
  const fields = socket as unknown as Record<symbol, unknown>;
  const first = next();
  fields[internals.kBuffer] = first;
  fields[internals.kBufferCb] = (bytes: number, buffer: Buffer): boolean => onChunk(buffer.subarray(0, bytes));
  fields[internals.kBufferGen] = next;
  internals.handle.useUserBuffer(first);
  return {
    release(chunk: Buffer): void {
      if (chunk.buffer === arena.buffer) inUse--;
    },
    detach(): void {
      fields[internals.kBufferCb] = () => true;
      fields[internals.kBufferGen] = null;
    },
  };
}
