import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * The file descriptor of a connected `net.Socket` on Unix (`socket._handle.fd`), or
 * `undefined` when there is none (not connected, destroyed, Windows) or when the socket is
 * a `TLSSocket`: writing to its descriptor directly would bypass the encryption.
 *
 * @example
 * ```ts
 * const fd = socketFd(dataSocket);
 * if (fd !== undefined && engine) await engine.sendFile({ fileFd, socketFd: fd, offset, length });
 * ```
 */
export function socketFd(socket: Socket): number | undefined {
  if (socket instanceof TLSSocket) return undefined;
  // `_handle` is Node-internal but has been stable since Node 0.x; nothing public exposes the fd.
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}
