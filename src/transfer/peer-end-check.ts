import type { Socket } from 'node:net';

const EMPTY = Buffer.alloc(0);

/** Tells whether the end of an upload's data connection was the peer's FIN or a reset. */
export interface PeerEndCheck {
  /**
   * Resolves when no end was seen (another reader, such as the native engine, saw it) or the
   * end was a clean FIN; rejects with the connection's error (`ECONNRESET`) when it was a reset.
   */
  confirmed(): Promise<void>;
  /** Removes the listener. */
  dispose(): void;
}

/**
 * Watches a plain TCP data connection so that a reset is never taken for the end of an
 * upload. libuv reports end-of-stream without reading again when the poll says "hang up"
 * after a short read: when the peer's RST lands while data still waits in the socket, that
 * data is delivered and then a clean 'end' is emitted, and the pending ECONNRESET is never
 * read. The kernel still holds the error, so at 'end' (before Node shuts down or closes the
 * descriptor) an empty write asks for it: it succeeds after a FIN (nothing goes on the wire)
 * and fails with ECONNRESET after a reset.
 */
export function watchPeerEnd(socket: Socket): PeerEndCheck {
  let result: Promise<void> | undefined;
  const onEnd = (): void => {
    if (socket.destroyed || !socket.writable) return;
    result = new Promise<void>((resolve, reject) => {
      socket.write(EMPTY, (error) => {
        if (error === null || error === undefined) resolve();
        else reject(error);
      });
    });
    // Also reported through the socket's 'error' and the engine; handled when awaited.
    result.catch(() => undefined);
  };
  socket.once('end', onEnd);
  return {
    confirmed: () => result ?? Promise.resolve(),
    dispose: () => {
      socket.off('end', onEnd);
    },
  };
}
