import type { Socket } from 'node:net';

/**
 * The shape of the zero-copy engine this module drives (the contract of
 * `./zero-copy/index.ts`), restated here so the data plane compiles and can be tested with an
 * injected engine whether or not the native addon is built.
 */
export interface ZeroCopyEnginePort {
  /** sendfile(2): `length` bytes of `fileFd` from `offset` to the connected socket `socketFd`; resolves with bytes sent. */
  sendFile(o: {
    fileFd: number;
    socketFd: number;
    offset: number;
    length: number;
    signal?: AbortSignal | undefined;
    onProgress?: ((bytesSoFar: number) => void) | undefined;
  }): Promise<number>;
  /** splice(2): from `socketFd` until EOF (or `maxBytes`) into `fileFd` at `offset`; resolves with bytes written. */
  receiveFile(o: {
    socketFd: number;
    fileFd: number;
    offset: number;
    maxBytes?: number | undefined;
    signal?: AbortSignal | undefined;
    onProgress?: ((bytesSoFar: number) => void) | undefined;
  }): Promise<number>;
  /** True when a new call would wait for a worker (the data plane then streams). @default never busy */
  busy?(): boolean;
}

/** The OS descriptor of a plain TCP socket on Unix, or `undefined` (Windows, TLS, JS streams). */
export function plainSocketFd(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
