import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers.js';
import { startFtps, type FtpsFixture } from '../support/tls-fixtures.js';
import { RawClientPool } from '../support/raw-client-pool.js';

// Catalogue: TLS (security.md). Most items are proved in test/tls and referenced from
// docs/security.md rather than duplicated:
// - PROT before PBSZ/AUTH 503: test/tls/explicit-protocol.test.ts "refuses sequence errors with 503 ..."
// - PROT C under required data 534: test/tls/policies.test.ts "required 'data': PROT C gets 534 ..."
// - plain data connection under PROT P: test/tls/policies.test.ts "under PROT P a plain data connection ..."
// - renegotiation refused: test/tls/tls-socket.test.ts "refuses client-initiated renegotiation on TLS 1.2"
// - stalled handshakes time out: test/tls/policies.test.ts "closes a control connection that never handshakes after 234"
// What is new here: failed and stalled handshakes count toward the per-address ban.

let fixture: FtpsFixture | undefined;
const clients = new RawClientPool();

afterEach(async () => {
  clients.closeAll();
  await fixture?.close();
  fixture = undefined;
});

/** Connects to the implicit port, sends plain text (no ClientHello) and waits for the close. */
function garbageHandshake(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write('USER alice\r\n'));
    socket.on('close', () => {
      resolve();
    });
  });
}

describe('hostile: TLS handshakes and the ban', () => {
  it('failed implicit handshakes count toward the ban: then 421 at connect', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 200 });
    // startFtps takes no loginBan option; the default threshold is 10 failures.
    for (let i = 0; i < 10; i++) await garbageHandshake(fixture.implicitPort);
    const { greeting } = await clients.connect(fixture.port);
    expect(greeting.code).toBe(421);
  });

  it('a banned address gets no TLS handshake on the implicit port (dropped before any handshake work)', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 200 });
    for (let i = 0; i < 10; i++) await garbageHandshake(fixture.implicitPort);
    const port = fixture.implicitPort;
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('handshake');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        resolve(error.code ?? 'error');
      });
      socket.once('close', () => {
        resolve('closed');
      });
    });
    expect(outcome).not.toBe('handshake');
  });

  it('stalled explicit handshakes (AUTH TLS then silence) count toward the ban', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 100 });
    for (let i = 0; i < 10; i++) {
      const { client } = await clients.connect(fixture.port);
      expect(await client.code('AUTH TLS')).toBe(234);
      expect(await waitFor(() => client.ended, 3000)).toBe(true);
    }
    const { greeting } = await clients.connect(fixture.port);
    expect(greeting.code).toBe(421);
  });

  it('below the threshold a clean client is still served', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 100 });
    for (let i = 0; i < 3; i++) await garbageHandshake(fixture.implicitPort);
    const { client, greeting } = await clients.connect(fixture.port);
    expect(greeting.code).toBe(220);
    expect(await client.code('AUTH TLS')).toBe(234);
  });
});
