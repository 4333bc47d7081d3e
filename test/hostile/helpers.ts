import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { DataPlane, SessionDataChannel } from '../../src/transfer/index.js';

export { RawClient, epsvPort } from '../support/ftp-control-client.js';
export { startTestServer, type TestServer } from '../support/start-test-server.js';
export { waitFor } from '../support/wait-for.js';

/** A TCP listener that records every connection it receives (to prove none was attempted). */
export interface Sentinel {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0, and counts connections (they are destroyed at once). */
export async function startSentinel(): Promise<Sentinel> {
  let connections = 0;
  const server: Server = createNetServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sentinel did not bind');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
  };
}

/** Calls counted by {@link countingDataPlane}. */
export interface DataPlaneCounts {
  passive: number;
  active: number;
}

/** Wraps a DataPlane and counts passive()/active() calls of every session channel. */
export function countingDataPlane(inner: DataPlane): { plane: DataPlane; counts: DataPlaneCounts } {
  const counts: DataPlaneCounts = { passive: 0, active: 0 };
  const plane: DataPlane = {
    attach(session) {
      const channel = inner.attach(session);
      const wrapped: SessionDataChannel = {
        passive(options) {
          counts.passive++;
          return channel.passive(options);
        },
        active(target, options) {
          counts.active++;
          return channel.active(target, options);
        },
        get ready() {
          return channel.ready;
        },
        retrieve: (fs, path, options) => channel.retrieve(fs, path, options),
        store: (fs, path, options) => channel.store(fs, path, options),
        sendListing: (lines, options) => channel.sendListing(lines, options),
        setProtection: (protection) => {
          channel.setProtection(protection);
        },
        abort: () => channel.abort(),
        close: () => channel.close(),
      };
      return wrapped;
    },
    close: () => inner.close(),
  };
  return { plane, counts };
}

/**
 * Opens a raw control socket and resolves with the first reply code it gets (0 when closed
 * first). The socket is pushed onto `sockets` so the caller destroys it after the test.
 */
export function firstCode(port: number, sockets: Socket[]): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) resolve(Number(text.slice(0, 3)));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve(text.length >= 3 ? Number(text.slice(0, 3)) : 0);
    });
  });
}
