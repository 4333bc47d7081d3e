import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
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

async function secureLogin(client: RawClient): Promise<void> {
  await authTls(client);
  expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`)).toEqual([331, 230]);
}

describe('explicit FTPS: AUTH, PBSZ, PROT, CCC', () => {
  it('answers 502 to AUTH/PBSZ/PROT when the server has no tls option', async () => {
    const server = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: USER, password: PASSWORD, fs: new MemoryFileSystem() }] }),
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const client = await connect(port);
      expect(await client.codes('AUTH TLS', 'PBSZ 0', 'PROT P')).toEqual([502, 502, 502]);
      expect((await client.cmd('FEAT')).lines.join('\n')).not.toMatch(/AUTH|PBSZ|PROT/);
    } finally {
      await server.close({ graceMs: 100 });
    }
  });

  it('refuses sequence errors with 503 and bad arguments with 501/504/536', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    // PBSZ and PROT before AUTH.
    expect(await client.codes('PBSZ 0', 'PROT P', 'PROT C')).toEqual([503, 503, 503]);
    expect(await client.codes('AUTH KERBEROS_V4', 'AUTH')).toEqual([504, 501]);
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    await client.startTls();
    // PROT before PBSZ, then bad PBSZ, then the levels TLS does not offer.
    expect(await client.codes('PROT P', 'PBSZ abc', 'PBSZ 0', 'PROT S', 'PROT E', 'PROT X')).toEqual([503, 501, 200, 536, 536, 504]);
    expect(await client.codes('AUTH TLS')).toEqual([503]);
    expect(await client.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'CCC')).toEqual([331, 230, 534]);
  });

  it('advertises AUTH TLS, PBSZ and PROT in FEAT, but not the always-refused CCC', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    const feat = (await client.cmd('FEAT')).lines.map((line) => line.trim());
    expect(feat).toEqual(expect.arrayContaining(['AUTH TLS', 'PBSZ', 'PROT']));
    expect(feat).not.toContain('CCC');
    expect(await client.codes('CCC')).toEqual([533]);
  });

  it('answers PBSZ with PBSZ=0 whatever size is asked', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    await client.startTls();
    const reply = await client.cmd('PBSZ 1048576');
    expect(reply.code).toBe(200);
    expect(reply.lines.join(' ')).toContain('PBSZ=0');
  });

  it('accepts AUTH after a login in clear and asks for a new login (RFC 2228 section 3)', async () => {
    fixture = await startFtps();
    const clear = await connect(fixture.port);
    expect(await clear.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'CWD /', 'EPSV')).toEqual([331, 230, 250, 229]);
    const auth = await clear.cmd('AUTH TLS');
    expect([auth.code, auth.lines[0]]).toEqual([234, 'AUTH TLS OK, starting TLS; log in again']);
    await clear.startTls();
    // The login, and the passive listener prepared in clear, are gone.
    expect(await clear.codes('PWD', 'LIST', `USER ${USER}`, `PASS ${PASSWORD}`, 'PWD', 'LIST')).toEqual([530, 530, 331, 230, 257, 425]);
    expect(await clear.codes('AUTH TLS')).toEqual([503]);
  });

  it('accepts the AUTH SSL alias and refuses CCC on a clear connection', async () => {
    fixture = await startFtps();
    const clear = await connect(fixture.port);
    expect(await clear.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'CCC')).toEqual([331, 230, 533]);
    const ssl = await connect(fixture.port);
    expect((await ssl.cmd('AUTH SSL')).code).toBe(234);
    await ssl.startTls();
    expect(await ssl.codes(`USER ${USER}`, `PASS ${PASSWORD}`, 'NOOP')).toEqual([331, 230, 200]);
  });

  it('discards commands pipelined in clear text after AUTH TLS (same packet)', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    client.send(Buffer.from(`AUTH TLS\r\nUSER ${USER}\r\nPASS ${PASSWORD}\r\nMKD /injected\r\n`));
    expect((await client.reply()).code).toBe(234);
    await client.startTls();
    // Had the pipelined USER/PASS run, USER would get 503 (already logged in); had MKD run, CWD would work.
    expect(await client.codes('NOOP', `USER ${USER}`, `PASS ${PASSWORD}`, 'CWD /injected')).toEqual([200, 331, 230, 550]);
  });

  it('discards a flood of pipelined commands (enough to trigger backpressure) and still completes the handshake', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    client.send(Buffer.from(`AUTH TLS\r\n${'MKD /flood\r\n'.repeat(200)}`));
    expect((await client.reply()).code).toBe(234);
    await client.startTls();
    expect(await client.codes('NOOP', `USER ${USER}`, `PASS ${PASSWORD}`, 'CWD /flood')).toEqual([200, 331, 230, 550]);
  });

  it('never executes clear text sent after the 234 and before the handshake: the handshake fails', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    client.send(`USER ${USER}`);
    client.send(`PASS ${PASSWORD}`);
    client.send('MKD /injected2');
    expect(await client.closed()).toBe(true);
    const check = await connect(fixture.port);
    await secureLogin(check);
    expect((await check.cmd('CWD /injected2')).code).toBe(550);
  });

  it('resets data protection to clear on AUTH and needs PBSZ again', async () => {
    fixture = await startFtps();
    const client = await connect(fixture.port);
    await secureLogin(client);
    expect(await client.codes('PBSZ 0', 'PROT P', 'PROT C', 'PROT P')).toEqual([200, 200, 200, 200]);
  });

  it('keeps the TLS state across REIN', async () => {
    fixture = await startFtps({ required: 'all' });
    const client = await connect(fixture.port);
    await secureLogin(client);
    expect(await client.codes('PBSZ 0', 'PROT P', 'REIN', `USER ${USER}`, `PASS ${PASSWORD}`)).toEqual([200, 200, 220, 331, 230]);
    const epsv = await client.cmd('EPSV');
    expect(epsv.code).toBe(229);
    const data = await client.openData(epsv, { reuseSession: true });
    client.send('LIST');
    const listing = readAll(data);
    expect((await client.reply()).code).toBe(150);
    await listing;
    expect((await client.reply()).code).toBe(226);
  });
});
