import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

describe('edge cases', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('aborts a stalled upload with 426 after the data timeout and keeps the session', async () => {
    t = await startTestServer({ dataTimeoutMs: 200, idleTimeoutMs: 60_000 });
    const c = await t.loggedIn();
    const data = await c.passive();
    c.send('STOR stalled.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.write('some bytes');
    expect((await c.reply(5000)).code).toBe(426);
    data.socket.destroy();
    expect(await c.code('NOOP')).toBe(200);
    expect(await c.code('SIZE stalled.bin')).toBe(550);
  });

  it.each([false, true])('never publishes an upload cut by the client (local filesystem: %s)', async (local) => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    const data = await c.passive();
    c.send('STOR cut.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.write('partial');
    await new Promise((resolve) => setTimeout(resolve, 20));
    data.socket.resetAndDestroy();
    expect((await c.reply()).code).toBe(426);
    expect(await c.code('SIZE cut.bin')).toBe(550);
    const list = await c.passive();
    c.send('NLST');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await list.received).toString()).toBe('');
  });

  it('keeps UTF-8 names intact in 257 replies and listings', async () => {
    t = await startTestServer({ local: true });
    const c = await t.loggedIn();
    const mkd = await c.cmd('MKD düsseldorf 日本');
    expect(mkd.code).toBe(257);
    expect(mkd.lines[0]).toContain('"/düsseldorf 日本"');
    const data = await c.passive();
    c.send('NLST');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString('utf8')).toBe('düsseldorf 日本\r\n');
    expect(await c.code('CWD düsseldorf 日本')).toBe(250);
  });

  it('answers MLST for the current directory and refuses names with control characters', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    const mlst = await c.cmd('MLST');
    expect(mlst.code).toBe(250);
    expect(mlst.lines[1]).toMatch(/type=(dir|cdir);.* \/$/);
    expect(await c.code('MKD bad\x01name')).toBe(553);
    expect(await c.code('CWD ../../..')).toBe(250);
    expect((await c.cmd('PWD')).lines[0]).toMatch(/^"\/"/);
  });

  it('forgets REST after a transfer and refuses one past the end', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    let data = await c.passive();
    c.send('STOR r.txt');
    expect((await c.reply()).code).toBe(150);
    data.socket.end('abcdef');
    expect((await c.reply()).code).toBe(226);
    expect(await c.code('REST 3')).toBe(350);
    data = await c.passive();
    c.send('RETR r.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString()).toBe('def');
    data = await c.passive();
    c.send('RETR r.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString()).toBe('abcdef');
  });

  it('applies the command table permissions: no list permission means no LIST, NLST, MLSD, MLST or STAT path', async () => {
    t = await startTestServer({ permissions: 'erwm' });
    const c = await t.loggedIn();
    expect(await c.code('MKD d')).toBe(257);
    expect(await c.code('CWD d')).toBe(250);
    expect(await c.code('MLST /d')).toBe(550);
    expect(await c.code('STAT /d')).toBe(550);
    for (const verb of ['LIST', 'NLST', 'MLSD']) {
      const data = await c.passive();
      expect(await c.code(verb)).toBe(550);
      data.socket.destroy();
    }
    expect(await c.code('RNFR /d')).toBe(550);
    expect(await c.code('RMD /d')).toBe(550);
    expect(await c.code('MFMT 20200101000000 /d')).toBe(550);
  });

  it('SITE CHMOD changes the mode on a local filesystem', async () => {
    t = await startTestServer({ local: true });
    const c = await t.loggedIn();
    const up = await c.passive();
    c.send('STOR m.txt');
    expect((await c.reply()).code).toBe(150);
    up.socket.end('x');
    expect((await c.reply()).code).toBe(226);
    expect(await c.code('SITE CHMOD 640 m.txt')).toBe(200);
    expect(await c.code('SITE CHMOD 640 missing.txt')).toBe(550);
    const data = await c.passive();
    c.send('LIST m.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await data.received).toString()).toMatch(/^-rw-r-----/);
  });
});
