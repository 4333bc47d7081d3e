import { createServer, type Server } from 'node:net';
import { connect, TLSSocket, type SecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { CertificateStore } from '../../src/server/tls/certificate-store.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { sharedCertificates } from '../support/tls-fixtures.js';

interface Outcome {
  readonly reused: boolean;
  readonly tickets: Buffer[];
}

/** A TLS server on `context` that says "hi" and closes. */
async function tlsServer(context: () => SecureContext): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context() });
    secure.on('error', () => undefined);
    secure.on('secure', () => secure.end('hi'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

/** One TLS 1.3 connection offering `session`; the tickets it received. */
function visit(port: number, session: Buffer | undefined): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const tickets: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(session === undefined ? {} : { session }) });
    socket.on('session', (ticket: Buffer) => tickets.push(ticket));
    socket.on('error', reject);
    socket.resume();
    socket.on('end', () => {
      resolve({ reused: socket.isSessionReused(), tickets });
      socket.end();
    });
  });
}

describe('TLS 1.3 ticket renewal (certificate store contexts)', () => {
  it('leaves the plain context as OpenSSL has it: no ticket after a resumption', async () => {
    const store = await sharedCertificates();
    const started = await tlsServer(() => store.secureContext);
    server = started.server;
    const first = await visit(started.port, undefined);
    const resumed = await visit(started.port, first.tickets[0]);
    expect([resumed.reused, resumed.tickets.length]).toEqual([true, 0]);
    server.close();
    server = undefined;
  });

  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('issues a new ticket on every resumed handshake, so a client that uses each ticket once always resumes', async () => {
    const store = await sharedCertificates();
    const started = await tlsServer(() => store.renewingSecureContext);
    server = started.server;
    const first = await visit(started.port, undefined);
    expect(first.reused).toBe(false);
    const unused = [...first.tickets];
    for (let i = 0; i < 6; i++) {
      const ticket = unused.shift();
      expect(ticket).toBeDefined();
      const next = await visit(started.port, ticket);
      expect([i, next.reused]).toEqual([i, true]);
      expect(next.tickets.length).toBeGreaterThan(0);
      unused.push(...next.tickets);
    }
  });

  it('answers a ticket of another server with a full handshake and a new ticket', async () => {
    const other = CertificateStore.fromPem(await generateSelfSignedCertificate());
    const foreign = await tlsServer(() => other.renewingSecureContext);
    const ticket = (await visit(foreign.port, undefined)).tickets[0];
    foreign.server.close();
    const store = await sharedCertificates();
    const started = await tlsServer(() => store.renewingSecureContext);
    server = started.server;
    const outcome = await visit(started.port, ticket);
    expect(outcome.reused).toBe(false);
    expect(outcome.tickets.length).toBeGreaterThan(0);
  });
});
