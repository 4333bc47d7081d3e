import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCertificate } from '../../../src/server/tls/self-signed.js';
import { dial, startListener, startServer, within } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let cert: { cert: string; key: string };
let otherCert: { cert: string; key: string };
beforeAll(async () => {
  [cert, otherCert] = await Promise.all([generateSelfSignedCertificate(), generateSelfSignedCertificate()]);
});

/** A plain TCP pipe to `port` that records every byte the slave sends. */
async function recordingPipe(port: number): Promise<{ port: number; seen: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = await startServer((slaveSide: Socket) => {
    const masterSide = connect({ host: '127.0.0.1', port });
    masterSide.on('error', () => undefined);
    slaveSide.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      masterSide.write(chunk);
    });
    masterSide.pipe(slaveSide);
    slaveSide.on('close', () => masterSide.destroy());
    masterSide.on('close', () => slaveSide.destroy());
  });
  cleanups.push(() => server.close());
  return { port: server.port, seen: () => Buffer.concat(chunks) };
}

async function linkThrough(tls: boolean): Promise<Buffer> {
  const l = await startListener(tls ? { tls: { cert: cert.cert, key: cert.key } } : {});
  cleanups.push(() => l.close());
  const pipe = await recordingPipe(l.port);
  const slave = await within(dial(pipe.port, { name: 'visible-name', ...(tls ? { tls: { ca: cert.cert, servername: 'localhost' } } : {}) }));
  cleanups.push(() => {
    slave.close();
  });
  const { link: master, hello } = await l.nextSlave();
  expect(hello.name).toBe('visible-name');
  const paths: string[] = [];
  master.serve({
    remergeBatch: ({ entries }) => {
      paths.push(...entries.map((e) => e.path));
      return Promise.resolve({});
    },
  });
  await within(slave.request('remergeBatch', { epoch: 1, entries: [{ path: '/secret-plans.txt', type: 'file', size: 1, mtimeMs: 0 }] }));
  expect(paths).toEqual(['/secret-plans.txt']);
  return pipe.seen();
}

describe('cluster link over TLS', () => {
  it('works over TLS, and TLS hides names and paths that plain TCP shows (integrity is there either way)', async () => {
    const plain = await linkThrough(false);
    expect(plain.includes('visible-name')).toBe(true);
    expect(plain.includes('/secret-plans.txt')).toBe(true);
    const wrapped = await linkThrough(true);
    expect(wrapped.includes('visible-name')).toBe(false);
    expect(wrapped.includes('/secret-plans.txt')).toBe(false);
  });

  it('a slave that checks the certificate refuses a master with another one', async () => {
    const l = await startListener({ tls: { cert: otherCert.cert, key: otherCert.key } });
    cleanups.push(() => l.close());
    const failed = dial(l.port, { tls: { ca: cert.cert, servername: 'localhost' } });
    await expect(within(failed)).rejects.toThrow();
    expect(l.slaves).toEqual([]);
  });

  it('a peer that opens TCP to a TLS listener and never starts TLS is dropped after handshakeTimeoutMs and reported', async () => {
    const l = await startListener({ tls: { cert: cert.cert, key: cert.key }, handshakeTimeoutMs: 200 });
    cleanups.push(() => l.close());
    const socket = connect({ host: '127.0.0.1', port: l.port });
    socket.on('error', () => undefined);
    cleanups.push(() => {
      socket.destroy();
    });
    await within(once(socket, 'connect'));
    await within(once(socket, 'close'), 5000, 'close of a silent TLS peer');
    const refusal = await l.nextRefusal();
    expect((refusal.error as { code?: string }).code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(refusal.address).toBe('127.0.0.1');
  });
});
