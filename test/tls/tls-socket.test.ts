import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { connect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CertificateStore } from '../../src/server/tls/certificate-store.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { startTlsEcho } from './helpers/tls-probe.js';

let store: CertificateStore;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  store = CertificateStore.fromPem(await generateSelfSignedCertificate());
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('wrapServerTls', () => {
  it('closes a connection whose handshake never starts, after the (shrunk) deadline', async () => {
    const server = await startTlsEcho(() => store.secureContext, 150);
    cleanups.push(() => server.close());
    const socket = netConnect({ host: '127.0.0.1', port: server.port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const guard = setTimeout(() => socket.destroy(new Error('server did not close the stalled handshake')), 5000);
    await once(socket, 'close');
    clearTimeout(guard);
    expect(server.failures).toEqual(['tls handshake timeout']);
  });

  it('refuses client-initiated renegotiation on TLS 1.2', async () => {
    const server = await startTlsEcho(() => store.secureContext);
    cleanups.push(() => server.close());
    const client = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    client.on('error', () => undefined);
    await once(client, 'secureConnect');
    client.write('ping');
    const [echo] = (await once(client, 'data')) as [Buffer];
    expect(echo.toString()).toBe('ping');
    const outcome = await new Promise<string>((resolve) => {
      const guard = setTimeout(() => {
        resolve('still open');
      }, 5000);
      const accepted = client.renegotiate({ rejectUnauthorized: false }, (error) => {
        clearTimeout(guard);
        resolve(error === null ? 'renegotiated' : 'refused');
      });
      if (!accepted) resolve('not sent');
      // The renegotiation handshake only goes out with the next record.
      client.write('x');
      client.once('close', () => {
        clearTimeout(guard);
        resolve('closed');
      });
    });
    expect(['refused', 'closed']).toContain(outcome);
    client.destroy();
  });

  it('echoes over a normal handshake and reports nothing as a failure', async () => {
    const server = await startTlsEcho(() => store.secureContext);
    cleanups.push(() => server.close());
    const client = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
    await once(client, 'secureConnect');
    client.write('hello');
    const [echo] = (await once(client, 'data')) as [Buffer];
    expect(echo.toString()).toBe('hello');
    client.end();
    await once(client, 'close');
    expect(server.failures).toEqual([]);
  });
});
