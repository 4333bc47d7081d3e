import { Client } from 'basic-ftp';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, InvalidServerOptionError } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { waitFor } from '../support/wait-for.js';
import { scrape, seriesOf, valueOf } from './scrape.js';

let t: TestServer | undefined;
const extra: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const server of extra.splice(0)) await server.close();
});

function metricsPort(server: TestServer['server']): number {
  const address = server.metricsAddress();
  if (address === null) throw new Error('no metrics listener');
  return address.port;
}

async function basicClient(port: number, user = 'alice', password = 'secret'): Promise<Client> {
  const client = new Client(10_000);
  await client.access({ host: '127.0.0.1', port, user, password });
  return client;
}

describe('server metrics (Prometheus, scraped over HTTP)', () => {
  it('counts sessions, logins, transfers and bytes by direction and method after real basic-ftp transfers', async () => {
    t = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    const port = metricsPort(t.server);
    const failing = new Client(10_000);
    await expect(failing.access({ host: '127.0.0.1', port: t.port, user: 'alice', password: 'wrong' })).rejects.toThrow(/530/);
    failing.close();
    const client = await basicClient(t.port);
    await client.uploadFrom(Readable.from([Buffer.alloc(1000, 7)]), 'a.bin');
    await client.uploadFrom(Readable.from([Buffer.alloc(500, 1)]), 'b.bin');
    const sink = (): Writable => new Writable({ write: (_chunk, _encoding, done) => { done(); } });
    await client.downloadTo(sink(), 'a.bin');
    await expect(client.downloadTo(sink(), 'missing.bin')).rejects.toThrow(/550/);
    await client.list('/');
    // A 550 before any data connection is no transfer; an aborted upload is a transfer error.
    const raw = await t.loggedIn();
    const data = await raw.passive();
    raw.send('STOR cut.bin');
    expect((await raw.reply()).code).toBe(150);
    raw.send('ABOR');
    expect((await raw.reply()).code).toBe(426);
    expect((await raw.reply()).code).toBe(226);
    data.socket.destroy();

    const { samples, contentType } = await scrape(port);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(valueOf(samples, 'ftpgrid_sessions_open')).toBe(2);
    expect(valueOf(samples, 'ftpgrid_sessions_total')).toBe(3);
    expect(seriesOf(samples, 'ftpgrid_logins_total')).toEqual({ 'result=failed': 1, 'result=ok': 2 });
    expect(seriesOf(samples, 'ftpgrid_transfers_total')).toEqual({
      'direction=upload,method=stream': 2,
      'direction=download,method=stream': 1,
      'direction=listing,method=stream': 1,
    });
    expect(valueOf(samples, 'ftpgrid_transfer_bytes_total', { direction: 'upload', method: 'stream' })).toBe(1500);
    expect(valueOf(samples, 'ftpgrid_transfer_bytes_total', { direction: 'download', method: 'stream' })).toBe(1000);
    expect(seriesOf(samples, 'ftpgrid_transfer_errors_total')).toEqual({ 'direction=upload,reason=aborted': 1 });
    expect(valueOf(samples, 'ftpgrid_transfers_active')).toBe(0);
    expect(valueOf(samples, 'ftpgrid_commands_total', { verb: 'STOR' })).toBe(3);
    expect(valueOf(samples, 'ftpgrid_commands_total', { verb: 'RETR' })).toBe(2);
    expect(valueOf(samples, 'ftpgrid_commands_total', { verb: 'USER' })).toBe(3);
    client.close();
    raw.close();
    await waitFor(() => t?.server.sessionCount === 0, 5000);
    expect(valueOf((await scrape(port)).samples, 'ftpgrid_sessions_open')).toBe(0);
  });

  it('counts commands by verb and replies by class exactly; unknown verbs are "other"', async () => {
    t = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    const { client } = await RawClient.connect(t.port);
    expect(await client.login('alice', 'nope')).toBe(530);
    expect(await client.login()).toBe(230);
    expect(await client.codes('NOOP', 'XYZZY', 'RANDOMVERB1', 'QUIT')).toEqual([200, 500, 500, 221]);
    client.close();
    await waitFor(() => t?.server.sessionCount === 0, 5000);
    const { samples } = await scrape(metricsPort(t.server));
    expect(seriesOf(samples, 'ftpgrid_commands_total')).toEqual({ 'verb=USER': 2, 'verb=PASS': 2, 'verb=NOOP': 1, 'verb=other': 2, 'verb=QUIT': 1 });
    // 220 greeting, 230, 200, 221 / 331 twice / 530, 500, 500
    expect(seriesOf(samples, 'ftpgrid_replies_total')).toEqual({ 'class=2xx': 4, 'class=3xx': 2, 'class=5xx': 3 });
  });

  it('counts a login ban once', async () => {
    t = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } }, loginBan: { maxFailures: 2, windowMs: 60_000, banMs: 60_000 } });
    const { client } = await RawClient.connect(t.port);
    expect(await client.login('alice', 'bad1')).toBe(530);
    expect(await client.login('alice', 'bad2')).toBe(530);
    client.close();
    const again = await RawClient.connect(t.port);
    expect(again.greeting.code).toBe(421);
    again.client.close();
    const { samples } = await scrape(metricsPort(t.server));
    expect(seriesOf(samples, 'ftpgrid_bans_total')).toEqual({ 'reason=login': 1 });
    expect(seriesOf(samples, 'ftpgrid_logins_total')).toEqual({ 'result=failed': 2 });
  });

  it('keeps two servers in one process apart (one registry each)', async () => {
    t = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    const other = createServer({ authorizer: new MemoryAuthorizer({ anonymous: { fs: new MemoryFileSystem() } }), metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    extra.push(other);
    await other.listen({ host: '127.0.0.1', port: 0 });
    const c = await t.loggedIn();
    expect(await c.code('NOOP')).toBe(200);
    expect(valueOf((await scrape(metricsPort(t.server))).samples, 'ftpgrid_sessions_total')).toBe(1);
    const address = other.metricsAddress();
    expect(address).not.toBeNull();
    expect(valueOf((await scrape(address?.port ?? 0)).samples, 'ftpgrid_sessions_total')).toBe(0);
  });

  it('collects into the registry without a listener, and serves only GET/HEAD of known paths', async () => {
    t = await startTestServer({ metrics: {} });
    expect(t.server.metricsAddress()).toBeNull();
    const c = await t.loggedIn();
    expect(await c.code('NOOP')).toBe(200);
    expect(await t.server.metrics?.registry.metrics()).toContain('ftpgrid_logins_total{result="ok"} 1');

    const withHttp = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    extra.push(withHttp);
    const base = `http://127.0.0.1:${metricsPort(withHttp.server)}`;
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
  });

  it('refuses a malformed metrics option with InvalidServerOptionError', () => {
    const authorizer = new MemoryAuthorizer({ anonymous: { fs: new MemoryFileSystem() } });
    const bad = (metrics: unknown): (() => unknown) => () => createServer({ authorizer, metrics: metrics as never });
    expect(bad({ listen: { host: '127.0.0.1', port: 70_000 } })).toThrow(InvalidServerOptionError);
    expect(bad({ listen: { host: '', port: 1 } })).toThrow(/metrics\.listen\.host/);
    expect(bad({ lisen: {} })).toThrow(/metrics\.lisen: unknown option/);
  });

  it('fails listen() when the metrics port is taken, and frees the FTP port', async () => {
    t = await startTestServer({ metrics: { listen: { host: '127.0.0.1', port: 0 } } });
    const taken = metricsPort(t.server);
    const second = createServer({ authorizer: new MemoryAuthorizer({ anonymous: { fs: new MemoryFileSystem() } }), metrics: { listen: { host: '127.0.0.1', port: taken } } });
    await expect(second.listen({ host: '127.0.0.1', port: 0 })).rejects.toThrow(/EADDRINUSE/);
    expect(second.address()).toBeNull();
    await second.close();
  });
});
