import { connect, type Socket } from 'node:net';
import type { Endpoint } from '../../../src/transfer/index.js';

/** Connects a client data socket (optionally from another loopback address). */
export function dial(endpoint: Endpoint, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port, ...(localAddress === undefined ? {} : { localAddress }) });
    socket.once('connect', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Reads a socket to its end. Resolves with everything it sent. */
export function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.once('error', reject);
  });
}

/** Writes `data` and ends the socket; resolves once flushed. */
export function writeAll(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.end(data, () => {
      resolve();
    });
  });
}

/** Resolves when the socket is closed (by either side). */
export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve();
      return;
    }
    socket.once('close', () => {
      resolve();
    });
  });
}

/** A local TCP server on 127.0.0.1:0 for active-mode tests: resolves each accepted socket. */
export async function activeClient(): Promise<{ port: number; next: () => Promise<Socket>; close: () => Promise<void> }> {
  const { createServer } = await import('node:net');
  const queue: Socket[] = [];
  const waiters: ((s: Socket) => void)[] = [];
  const server = createServer((socket) => {
    const waiter = waiters.shift();
    if (waiter) waiter(socket);
    else queue.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    next: () => {
      const s = queue.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiters.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of queue) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
