import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

function sink(): { stream: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { stream, data: () => Buffer.concat(chunks) };
}

async function basicClient(t: TestServer): Promise<Client> {
  const client = new Client(5000);
  await client.access({ host: '127.0.0.1', port: t.port, user: 'alice', password: 'secret' });
  return client;
}

describe.each([
  { name: 'MemoryFileSystem', local: false },
  { name: 'LocalFileSystem', local: true },
])('transfers with basic-ftp on $name', ({ local }) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('uploads, lists with MLSD, resumes a download, appends, renames and deletes', async () => {
    t = await startTestServer({ local });
    const client = await basicClient(t);
    try {
      const content = randomBytes(300_000);
      await client.ensureDir('/dir with space');
      expect(await client.pwd()).toBe('/dir with space');
      await client.uploadFrom(Readable.from([content]), 'file one.bin');
      expect(await client.size('file one.bin')).toBe(content.length);
      const listing = await client.list();
      const entry = listing.find((item) => item.name === 'file one.bin');
      expect(entry?.size).toBe(content.length);
      expect(entry?.isFile).toBe(true);
      expect((await client.lastMod('file one.bin')).getTime()).toBeGreaterThan(0);

      const whole = sink();
      await client.downloadTo(whole.stream, 'file one.bin');
      expect(whole.data().equals(content)).toBe(true);

      const tail = sink();
      await client.downloadTo(tail.stream, 'file one.bin', 100_000);
      expect(tail.data().equals(content.subarray(100_000))).toBe(true);

      const extra = randomBytes(5000);
      await client.appendFrom(Readable.from([extra]), 'file one.bin');
      expect(await client.size('file one.bin')).toBe(content.length + extra.length);

      await client.rename('file one.bin', 'renamed.bin');
      const again = sink();
      await client.downloadTo(again.stream, 'renamed.bin');
      expect(again.data().equals(Buffer.concat([content, extra]))).toBe(true);

      await client.remove('renamed.bin');
      await client.cd('/');
      await client.removeDir('dir with space');
      expect(await client.list()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('resumes an upload with REST + STOR and stores unique names with STOU', async () => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    let data = await c.passive();
    c.send('STOR part.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.end('hello ');
    expect((await c.reply()).code).toBe(226);

    expect(await c.code('REST 6')).toBe(350);
    data = await c.passive();
    c.send('STOR part.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.end('world');
    expect((await c.reply()).code).toBe(226);
    expect((await c.cmd('SIZE part.bin')).lines[0]).toBe('11');

    expect(await c.code('REST 99')).toBe(350);
    data = await c.passive();
    expect(await c.code('RETR part.bin')).toBe(554);
    data.socket.destroy();

    expect(await c.code('REST 6')).toBe(350);
    data = await c.passive();
    c.send('RETR part.bin');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString()).toBe('world');

    data = await c.passive();
    c.send('STOU part.bin');
    const start = await c.reply();
    expect(start.code).toBe(150);
    const name = /FILE: (\S+)/.exec(start.lines[0] ?? '')?.[1];
    expect(name).toMatch(/^part\.bin\.[0-9a-f]{8}$/);
    data.socket.end('unique');
    const done = await c.reply();
    expect(done.code).toBe(226);
    expect((await c.cmd(`SIZE ${name ?? ''}`)).lines[0]).toBe('6');
    expect((await c.cmd('SIZE part.bin')).lines[0]).toBe('11');
  });

  it('lists with LIST options, NLST and MLSD facts including perm', async () => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    expect(await c.code('MKD sub')).toBe(257);
    let data = await c.passive();
    c.send('STOR -dash.txt');
    expect((await c.reply()).code).toBe(150);
    data.socket.end('abc');
    expect((await c.reply()).code).toBe(226);

    data = await c.passive();
    c.send('LIST -la');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    const list = (await data.received).toString();
    expect(list).toMatch(/^d.* sub\r\n/m);
    expect(list).toMatch(/^-.* 3 .* -dash\.txt\r\n/m);

    data = await c.passive();
    c.send('NLST');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString().split('\r\n').filter(Boolean).sort()).toEqual(['-dash.txt', 'sub']);

    data = await c.passive();
    c.send('MLSD');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    const mlsd = (await data.received).toString().split('\r\n').filter(Boolean);
    const file = mlsd.find((line) => line.endsWith(' -dash.txt'));
    expect(file).toMatch(/type=file;/);
    expect(file).toMatch(/size=3;/);
    expect(file).toMatch(/modify=\d{14}/);
    expect(file).toMatch(/perm=adfrw;/);
    expect(mlsd.find((line) => line.endsWith(' sub'))).toMatch(/type=dir;.*perm=cdpeflm;/);

    data = await c.passive();
    expect(await c.code('MLSD -dash.txt')).toBe(501);
    expect(await c.code('LIST missing')).toBe(550);
    data.socket.destroy();
  });
});

describe('control connection during a transfer', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers STAT, NOOP and PWD, refuses others with 503, and ABOR gives 426 then 226', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    const big = randomBytes(8 * 1024 * 1024);
    let data = await c.passive();
    c.send('STOR big.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.end(big);
    expect((await c.reply()).code).toBe(226);

    data = await c.passive();
    // Never read: the transfer blocks on backpressure and stays running.
    data.socket.pause();
    c.send('RETR big.bin');
    expect((await c.reply()).code).toBe(150);
    const stat = await c.cmd('STAT');
    expect(stat.code).toBe(211);
    expect(stat.lines.join('\n')).toMatch(/RETR \/big\.bin: \d+ bytes transferred/);
    expect(await c.code('NOOP')).toBe(200);
    expect(await c.code('PWD')).toBe(257);
    expect(await c.code('MKD x')).toBe(503);
    expect(await c.code('STAT /')).toBe(503);
    c.send('ABOR');
    expect((await c.reply()).code).toBe(426);
    expect((await c.reply()).code).toBe(226);
    data.socket.destroy();
    expect(await c.code('NOOP')).toBe(200);
    expect(await c.code('MKD x')).toBe(257);
  });

  it('QUIT during a transfer lets it finish, then says 221', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    const data = await c.passive();
    c.send('STOR slow.txt');
    expect((await c.reply()).code).toBe(150);
    c.send('QUIT');
    data.socket.write('part one ');
    setTimeout(() => data.socket.end('part two'), 50);
    expect((await c.reply()).code).toBe(226);
    expect((await c.reply()).code).toBe(221);
    const check = await t.loggedIn();
    expect((await check.cmd('SIZE slow.txt')).lines[0]).toBe('17');
  });
});
