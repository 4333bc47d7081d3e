import { randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, connect as tcpConnect, type Server } from 'node:net';
import { TLSSocket, connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, isDataConnectionError, type Endpoint, type SessionDataChannel } from '../../src/transfer/index.js';
import { activeClient, readAll } from './helpers/data-client.js';
import { DiskFs } from './helpers/disk-fs.js';
import { transferModes } from './helpers/modes.js';
import { loopbackSession } from './helpers/session.js';

let secureContext: SecureContext;
let controlServer: Server;
let controlPort = 0;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  secureContext = createSecureContext({ key: pems.private, cert: pems.cert });
  // The FTPS control connection after AUTH TLS: same context, so its tickets resume on data connections.
  controlServer = createTcpServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext });
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => controlServer.listen(0, '127.0.0.1', resolve));
  const address = controlServer.address();
  controlPort = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => controlServer.close(() => {
    resolve();
  }));
});

/** Opens a TLS control connection and resolves with the session it can resume. */
function controlSession(): Promise<{ socket: TLSSocket; session: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: controlPort, rejectUnauthorized: false });
    socket.once('session', (session: Buffer) => {
      resolve({ socket, session });
    });
    socket.once('error', reject);
  });
}

function dialTls(endpoint: Endpoint, session?: Buffer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: endpoint.host, port: endpoint.port, rejectUnauthorized: false, ...(session === undefined ? {} : { session }) });
    socket.once('secureConnect', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

for (const mode of transferModes) describe.skipIf(!mode.available)(`TLS data connections (PROT P) with ${mode.name} settings`, () => {
  let fs: DiskFs;
  let plane: LocalDataPlane;
  let channel: SessionDataChannel;
  let control: TLSSocket | undefined;

  beforeEach(async () => {
    fs = await DiskFs.create(mode.withFd);
    plane = new LocalDataPlane({ ...mode.plane, connectTimeoutMs: 2000 });
    channel = plane.attach(loopbackSession());
  });

  afterEach(async () => {
    control?.destroy();
    control = undefined;
    await plane.close();
    await fs.dispose();
  });

  it('retrieves and stores over TLS that resumes the control session, always on the stream path', async () => {
    const ctl = await controlSession();
    control = ctl.socket;
    channel.setProtection({ level: 'private', secureContext, requireSessionReuse: true });
    const data = randomBytes(2 * 1024 * 1024 + 9);
    writeFileSync(fs.host('s.bin'), data);
    const endpoint = await channel.passive({ extended: true });
    const received = dialTls(endpoint, ctl.session).then(readAll);
    const result = await channel.retrieve(fs, '/s.bin');
    expect((await received).equals(data)).toBe(true);
    expect(result.method).toBe('stream');

    // Like vsftpd, the server handshakes once the transfer command runs, not at accept time.
    const upEndpoint = await channel.passive({ extended: true });
    const stored = channel.store(fs, '/u.bin', { checksum: 'crc32' });
    const up = await dialTls(upEndpoint, ctl.session);
    up.end(data);
    const storeResult = await stored;
    expect(storeResult.method).toBe('stream');
    expect(readFileSync(fs.host('u.bin')).equals(data)).toBe(true);
  });

  it('refuses a data connection that does not resume the TLS session when reuse is required', async () => {
    channel.setProtection({ level: 'private', secureContext, requireSessionReuse: true });
    writeFileSync(fs.host('s.bin'), 'secret');
    const endpoint = await channel.passive({ extended: true });
    const received = dialTls(endpoint).then(readAll, () => Buffer.alloc(0));
    const error = await channel.retrieve(fs, '/s.bin').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDataConnectionError(error, 'tls-session-not-reused')).toBe(true);
    // Not one byte of the file may reach a refused connection.
    expect((await received.catch(() => Buffer.alloc(0))).length).toBe(0);
  });

  it('accepts a fresh TLS session when reuse is not required', async () => {
    channel.setProtection({ level: 'private', secureContext });
    writeFileSync(fs.host('s.bin'), 'fresh');
    const received = dialTls(await channel.passive({ extended: true })).then(readAll);
    await channel.retrieve(fs, '/s.bin');
    expect((await received).toString()).toBe('fresh');
  });

  it('refuses a plaintext data connection under PROT P without sending a byte', async () => {
    channel.setProtection({ level: 'private', secureContext });
    writeFileSync(fs.host('s.bin'), 'secret');
    const endpoint = await channel.passive({ extended: true });
    const plain = tcpConnect({ host: endpoint.host, port: endpoint.port });
    const got = readAll(plain).catch(() => Buffer.alloc(0));
    plain.write('RETR-like garbage that is not a ClientHello\r\n');
    const error = await channel.retrieve(fs, '/s.bin').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDataConnectionError(error, 'tls-handshake')).toBe(true);
    expect((await got).toString('latin1')).not.toContain('secret');
  });

  it('is the TLS server on an active (PORT) connection too', async () => {
    channel.setProtection({ level: 'private', secureContext });
    writeFileSync(fs.host('a.bin'), 'active and private');
    const listener = await activeClient();
    try {
      await channel.active({ host: '127.0.0.1', port: listener.port });
      const received = listener.next().then((raw) => readAll(tlsConnect({ socket: raw, rejectUnauthorized: false })));
      const result = await channel.retrieve(fs, '/a.bin');
      expect((await received).toString()).toBe('active and private');
      expect(result.method).toBe('stream');
    } finally {
      await listener.close();
    }
  });

  it('needs a secure context for PROT P', () => {
    expect(() => {
      channel.setProtection({ level: 'private' });
    }).toThrow(TypeError);
  });
});
