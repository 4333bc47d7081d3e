/** Receives the running byte count of a zero-copy transfer (at most ~10 times a second). */
export type ZeroCopyProgress = (bytesSoFar: number) => void;

/** Options of {@link ZeroCopyEngine.sendFile}. */
export interface SendFileOptions {
  /** Open, readable file descriptor. Never closed by the engine. */
  readonly fileFd: number;
  /** Descriptor of a connected, plain (non-TLS) TCP socket. Never closed by the engine. */
  readonly socketFd: number;
  /** Byte offset in the file to start from (REST). Must be a non-negative safe integer. */
  readonly offset: number;
  /** Bytes to send; `Infinity` sends until end of file. Fewer are sent if the file ends first. */
  readonly length: number;
  /** Aborting rejects with code `ABORT_ERR` within about 100 ms. */
  readonly signal?: AbortSignal | undefined;
  /** Progress reports while the bytes move. */
  readonly onProgress?: ZeroCopyProgress | undefined;
}

/** Options of {@link ZeroCopyEngine.receiveFile}. */
export interface ReceiveFileOptions {
  /** Descriptor of a connected, plain TCP socket, paused on the Node side. Never closed by the engine. */
  readonly socketFd: number;
  /** Open, writable file descriptor. Never closed by the engine. */
  readonly fileFd: number;
  /**
   * Byte offset in the file to write at; `-1` writes at the descriptor's own position,
   * which is what a descriptor opened with `O_APPEND` (APPE) needs.
   */
  readonly offset: number;
  /** Stop after this many bytes. @default unlimited (until the peer ends the stream) */
  readonly maxBytes?: number | undefined;
  /** Aborting rejects with code `ABORT_ERR` within about 100 ms. */
  readonly signal?: AbortSignal | undefined;
  /** Progress reports while the bytes move. */
  readonly onProgress?: ZeroCopyProgress | undefined;
}

/**
 * Moves bytes between files and TCP sockets inside the kernel (sendfile(2), splice(2)) on a
 * small bounded pool of threads of its own (16), so the event loop keeps serving control
 * connections meanwhile. Calls beyond the pool wait for a worker; {@link ZeroCopyEngine.busy}
 * says when one would, so a data plane can stream instead.
 *
 * The caller pauses the Node socket (so libuv does not read it) for the duration, chunks
 * calls if it throttles, and closes both descriptors afterwards: the engine never does.
 * Failures reject with a {@link ZeroCopyError} whose `code` is the errno name
 * (`ECONNRESET`, `EPIPE`, `ENOSPC`, ...), `ABORT_ERR`, or `ERR_ZERO_COPY_START` when the
 * addon could not start the transfer (no thread, a failed Node-API call).
 *
 * @example
 * ```ts
 * const engine = loadZeroCopyEngine();
 * if (engine) {
 *   const sent = await engine.sendFile({ fileFd, socketFd: socketFd(socket)!, offset: 0, length: size, signal });
 * }
 * ```
 */
export interface ZeroCopyEngine {
  /** Sends `length` bytes of `fileFd` from `offset` to `socketFd` (sendfile). Resolves with the bytes sent. */
  sendFile(o: SendFileOptions): Promise<number>;
  /** Receives from `socketFd` until EOF (or `maxBytes`) into `fileFd` at `offset` (splice through a pipe). Resolves with the bytes written. */
  receiveFile(o: ReceiveFileOptions): Promise<number>;
  /** True when every worker of the pool runs a transfer: a new call would wait for one. */
  busy(): boolean;
}
