import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

describe('session basic flow (raw socket)', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('greets, logs in, and walks directories', async () => {
    const c = await t.client();
    expect(await c.code('PWD')).toBe(530);
    expect(await c.code('USER alice')).toBe(331);
    expect(await c.code('PASS secret')).toBe(230);
    const pwd = await c.cmd('PWD');
    expect(pwd.code).toBe(257);
    expect(pwd.lines[0]).toMatch(/^"\/" /);
    const mkd = await c.cmd('MKD a "b"');
    expect(mkd.code).toBe(257);
    expect(mkd.lines[0]).toContain('"/a ""b"""');
    expect(await c.code('CWD a "b"')).toBe(250);
    expect((await c.cmd('XPWD')).lines[0]).toContain('"/a ""b"""');
    expect(await c.code('CDUP')).toBe(200);
    expect(await c.code('CWD nope')).toBe(550);
    expect(await c.code('QUIT')).toBe(221);
  });

  it('stores, lists and retrieves a file over EPSV', async () => {
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    const up = await c.passive();
    c.send('STOR hello.txt');
    expect((await c.reply()).code).toBe(150);
    up.socket.end(Buffer.from('hello world\n'));
    expect((await c.reply()).code).toBe(226);
    expect((await c.cmd('SIZE hello.txt')).lines[0]).toBe('12');

    const list = await c.passive();
    c.send('LIST');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await list.received).toString()).toMatch(/hello\.txt\r\n$/);

    const down = await c.passive();
    c.send('RETR hello.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await down.received).toString()).toBe('hello world\n');
  });
});
