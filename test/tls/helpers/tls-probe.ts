import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { connect, type ConnectionOptions, type SecureContext } from 'node:tls';
import { wrapServerTls } from '../../../src/session/handlers/tls-socket.js';

/** A plain TCP server that speaks TLS on every connection through `wrapServerTls`. */
export async function startTlsEcho(contextOf: () => SecureContext, handshakeTimeoutMs = 5000): Promise<{ port: number; failures: string[]; close(): Promise<void> }> {
  const failures: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const secure = wrapServerTls(socket, {
      secureContext: contextOf(),
      handshakeTimeoutMs,
      onHandshakeFailure: (reason) => failures.push(reason),
    });
    secure.on('error', () => undefined);
    secure.on('data', (chunk: Buffer) => secure.write(chunk));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    failures,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Outcome of one TLS client connection attempt. */
export type ProbeResult =
  | { ok: true; authorized: boolean; fingerprint: string; protocol: string | null; cipher: string }
  | { ok: false; code: string };

/** Connects, reads the peer certificate and hangs up. */
export async function probe(port: number, options: ConnectionOptions = {}): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ...options }, () => {
      const raw = socket.getPeerX509Certificate();
      resolve({
        ok: true,
        authorized: socket.authorized,
        fingerprint: raw instanceof X509Certificate ? raw.fingerprint256 : '',
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
      });
      socket.end();
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('probe timeout')));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, code: error.code ?? error.message });
    });
  });
}
