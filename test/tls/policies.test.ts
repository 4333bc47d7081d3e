import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawClient, readAll } from '../support/ftp-control-client.js';
import { RawClientPool } from '../support/raw-client-pool.js';
import { PASSWORD, USER, authTls, startFtps, type FtpsFixture } from '../support/tls-fixtures.js';

let fixture: FtpsFixture | undefined;
const clients = new RawClientPool();

afterEach(async () => {
  clients.closeAll();
  await fixture?.close();
  fixture = undefined;
});

function connect(port: number, implicit = false): Promise<RawClient> {
  return clients.connectReady(port, { implicit });
}


/** Runs one transfer verb over a fresh EPSV data connection; returns the final code and received bytes. */
async function transfer(client: RawClient, verb: string, tls: { reuseSession: boolean } | undefined, upload?: Buffer): Promise<{ first: number; final: number; bytes: Buffer }> {
  const epsv = await client.cmd('EPSV');
  expect(epsv.code).toBe(229);
  const data = await client.openData(epsv, tls);
  client.send(verb);
  const received = readAll(data);
  const first = (await client.reply()).code;
  if (first !== 150) {
    data.destroy();
    return { first, final: first, bytes: await received };
  }
  if (upload !== undefined) data.end(upload);
  const bytes = await received;
  return { first, final: (await client.reply()).code, bytes };
}

/** Opens a plain data connection while PROT P is on and writes clear bytes on it at once. */
async function plainUnderProtP(client: RawClient, verb: string, clear: Buffer): Promise<{ final: number; bytes: Buffer }> {
  const epsv = await client.cmd('EPSV');
  expect(epsv.code).toBe(229);
  const data = await client.openData(epsv);
  data.write(clear);
  const received = readAll(data);
  client.send(verb);
  let reply = await client.reply();
  while (reply.code < 200) reply = await client.reply();
  data.destroy();
  return { final: reply.code, bytes: await received };
}

describe('TLS policies', () => {
  it("required 'login': USER and PASS before AUTH TLS get 530; after AUTH the login works", async () => {
    fixture = await startFtps({ required: 'login' });
    const client = await connect(fixture.port);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PWD')).toEqual([530, 530, 530]);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`)).toEqual([331, 230]);
    // Data may stay clear under the login policy.
    expect(await client.codes('PBSZ 0', 'PROT C')).toEqual([200, 200]);
    const listing = await transfer(client, 'LIST', undefined);
    expect([listing.first, listing.final]).toEqual([150, 226]);
  });

  it("required 'data': PROT C gets 534, clear data setup and transfers get 522, PROT P works", async () => {
    fixture = await startFtps({ required: 'data' });
    const client = await connect(fixture.port);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`)).toEqual([331, 230]);
    expect(await client.codes('PASV', 'EPSV', 'PORT 127,0,0,1,200,10', 'EPRT |1|127.0.0.1|51210|', 'LIST', 'RETR x', 'STOR y', 'NLST', 'MLSD')).toEqual([
      522, 522, 522, 522, 522, 522, 522, 522, 522,
    ]);
    expect(await client.codes('PBSZ 0', 'PROT C', 'EPSV', 'PROT P')).toEqual([200, 534, 522, 200]);
    const listing = await transfer(client, 'LIST', { reuseSession: true });
    expect([listing.first, listing.final]).toEqual([150, 226]);
  });

  it("required 'data': a login in clear is allowed but no data connection ever is", async () => {
    fixture = await startFtps({ required: 'data' });
    const client = await connect(fixture.port);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PWD', 'EPSV', 'PBSZ 0', 'PROT P')).toEqual([331, 230, 257, 522, 503, 503]);
    // AUTH after the clear login is accepted (RFC 2228 section 3) and asks for a new login.
    expect(await client.codes('AUTH TLS')).toEqual([234]);
    await client.startTls();
    expect(await client.codes('PWD', `USER ${USER}`, `PASS ${PASSWORD}`, 'EPSV', 'PBSZ 0', 'PROT P', 'EPSV')).toEqual([530, 331, 230, 522, 200, 200, 229]);
  });

  it("required 'all': both refusals", async () => {
    fixture = await startFtps({ required: 'all' });
    const client = await connect(fixture.port);
    expect(await client.codes(`USER ${USER}`)).toEqual([530]);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'EPSV', 'PBSZ 0', 'PROT C', 'PROT P')).toEqual([331, 230, 522, 200, 534, 200]);
  });

  it("'optional' lets a session stay entirely clear", async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`)).toEqual([331, 230]);
    const listing = await transfer(client, 'LIST', undefined);
    expect([listing.first, listing.final]).toEqual([150, 226]);
  });

  it('under PROT P a plain data connection gets no file byte and is refused', async () => {
    fixture = await startFtps();
    const secret = randomBytes(4096);
    await writeFile(join(fixture.root, 'secret.bin'), secret);
    const client = await connect(fixture.port);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([331, 230, 200, 200, 200]);
    const download = await plainUnderProtP(client, 'RETR secret.bin', Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(download.bytes.includes(secret.subarray(0, 64))).toBe(false);
    expect(download.final).toBe(425);
    // A clear upload under PROT P is not stored either.
    const upload = await plainUnderProtP(client, 'STOR clear.bin', Buffer.from('clear text payload that must not be stored'));
    expect(upload.final).toBe(425);
    await expect(readFile(join(fixture.root, 'clear.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The session goes on.
    expect(await client.codes('NOOP')).toEqual([200]);
  });

  it('requireDataSessionReuse refuses a data connection that does not resume the session and accepts one that does', async () => {
    fixture = await startFtps({ requireDataSessionReuse: true });
    const payload = randomBytes(10_000);
    await writeFile(join(fixture.root, 'a.bin'), payload);
    const client = await connect(fixture.port);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([331, 230, 200, 200, 200]);
    const fresh = await transfer(client, 'RETR a.bin', { reuseSession: false });
    expect(fresh.bytes.length).toBe(0);
    expect(fresh.final).toBe(425);
    const resumed = await transfer(client, 'RETR a.bin', { reuseSession: true });
    expect(resumed.final).toBe(226);
    expect(resumed.bytes.equals(payload)).toBe(true);
  });

  it('resumes TLS 1.2 sessions too (session tickets survive on data connections)', async () => {
    fixture = await startFtps({ requireDataSessionReuse: true });
    const payload = randomBytes(10_000);
    await writeFile(join(fixture.root, 'a.bin'), payload);
    const client = await connect(fixture.port);
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    const control = await client.startTls({ maxVersion: 'TLSv1.2' });
    expect(control.getProtocol()).toBe('TLSv1.2');
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([331, 230, 200, 200, 200]);
    const resumed = await transfer(client, 'RETR a.bin', { reuseSession: true });
    expect(resumed.final).toBe(226);
    expect(resumed.bytes.equals(payload)).toBe(true);
    const fresh = await transfer(client, 'RETR a.bin', { reuseSession: false });
    expect(fresh.final).toBe(425);
  });

  it('without requireDataSessionReuse a non-resuming data connection works', async () => {
    fixture = await startFtps({ requireDataSessionReuse: false });
    const payload = randomBytes(10_000);
    await writeFile(join(fixture.root, 'a.bin'), payload);
    const client = await connect(fixture.port);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([331, 230, 200, 200, 200]);
    const fresh = await transfer(client, 'RETR a.bin', { reuseSession: false });
    expect(fresh.final).toBe(226);
    expect(fresh.bytes.equals(payload)).toBe(true);
  });
});

describe('implicit FTPS', () => {
  it('speaks TLS from the first byte; AUTH is refused; PROT P transfers round-trip', async () => {
    fixture = await startFtps({ requireDataSessionReuse: true });
    const methods: (string | undefined)[] = [];
    fixture.server.on('transferEnd', (event) => methods.push(event.method));
    const client = await connect(fixture.implicitPort, true);
    expect(await client.codes('AUTH TLS', `USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P', 'TYPE I')).toEqual([503, 331, 230, 200, 200, 200]);
    const payload = randomBytes(200_000);
    const up = await transfer(client, 'STOR up.bin', { reuseSession: true }, payload);
    expect([up.first, up.final]).toEqual([150, 226]);
    expect((await readFile(join(fixture.root, 'up.bin'))).equals(payload)).toBe(true);
    const down = await transfer(client, 'RETR up.bin', { reuseSession: true });
    expect(down.final).toBe(226);
    expect(down.bytes.equals(payload)).toBe(true);
    // Zero-copy cannot encrypt: every PROT P transfer took the stream path.
    expect(methods).toEqual(['stream', 'stream']);
  });

  it('a plain-text client on the implicit port gets nothing and is closed', async () => {
    fixture = await startFtps();
    const socket = netConnect({ host: '127.0.0.1', port: fixture.implicitPort });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write('USER alice\r\n');
    const received = await readAll(socket);
    expect(received.toString('latin1')).not.toMatch(/^2\d\d /m);
    expect(fixture.server.sessionCount).toBe(0);
  });
});

describe('handshake timeouts', () => {
  it('closes a control connection that never handshakes after 234', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 150 });
    const client = await connect(fixture.port);
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    expect(await client.closed(5000)).toBe(true);
  });

  it('refuses a data connection whose TLS handshake never starts with 425, after the same deadline', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 200 });
    await writeFile(join(fixture.root, 'a.bin'), 'data');
    const client = await connect(fixture.port);
    await authTls(client);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'PBSZ 0', 'PROT P')).toEqual([331, 230, 200, 200]);
    const epsv = await client.cmd('EPSV');
    const silent = await client.openData(epsv);
    client.send('RETR a.bin');
    let reply = await client.reply();
    // The data plane's own connect timeout is 30 s: only the TLS deadline can answer within 5 s.
    while (reply.code < 200) reply = await client.reply(5000);
    expect(reply.code).toBe(425);
    silent.destroy();
    expect(await client.codes('NOOP')).toEqual([200]);
  });

  it('closes an implicit connection that never handshakes', async () => {
    fixture = await startFtps({ handshakeTimeoutMs: 150 });
    const socket = netConnect({ host: '127.0.0.1', port: fixture.implicitPort });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const guard = setTimeout(() => socket.destroy(new Error('not closed by the server')), 5000);
    const received = await readAll(socket);
    clearTimeout(guard);
    expect(received.length).toBe(0);
    expect(socket.destroyed).toBe(true);
  });
});
