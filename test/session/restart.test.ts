import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/** REST with every transfer command (RFC 3659 section 5), on both backends. */
describe.each([false, true])('restart (local filesystem: %s)', (local) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function withFile(name: string, bytes: string): Promise<RawClient> {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    await c.put(name, bytes);
    return c;
  }

  async function content(c: RawClient, name: string): Promise<string> {
    const { last, data } = await c.download(`RETR ${name}`);
    expect(last?.code).toBe(226);
    return data.toString();
  }

  it('refuses REST before APPE with 554 and keeps every byte of the file', async () => {
    const c = await withFile('a.txt', 'x'.repeat(100));
    expect(await c.code('REST 10')).toBe(350);
    const { first } = await c.upload('APPE a.txt', 'yyyyy');
    expect(first.code).toBe(554);
    expect(await content(c, 'a.txt')).toBe('x'.repeat(100));
    // The offset is forgotten: the next APPE appends at the end.
    const next = await c.upload('APPE a.txt', 'yyyyy');
    expect(next.last?.code).toBe(226);
    expect(await content(c, 'a.txt')).toBe(`${'x'.repeat(100)}yyyyy`);
  });

  it('accepts REST 0 before APPE as no restart', async () => {
    const c = await withFile('a.txt', 'abc');
    expect(await c.code('REST 0')).toBe(350);
    expect((await c.upload('APPE a.txt', 'def')).last?.code).toBe(226);
    expect(await content(c, 'a.txt')).toBe('abcdef');
  });

  it('refuses REST before STOU with 554 and creates nothing', async () => {
    const c = await withFile('a.txt', 'abc');
    expect(await c.code('REST 2')).toBe(350);
    const { first } = await c.upload('STOU u.txt', 'zz');
    expect(first.code).toBe(554);
    expect(await c.code('SIZE u.txt')).toBe(550);
    expect((await c.upload('STOU u.txt', 'zz')).last?.code).toBe(226);
  });

  it('answers 550, not 451, to REST then STOR of a missing file', async () => {
    const c = await withFile('a.txt', 'abc');
    expect(await c.code('REST 10')).toBe(350);
    expect((await c.upload('STOR missing.txt', 'zz')).first.code).toBe(550);
    expect(await c.code('SIZE missing.txt')).toBe(550);
  });

  it('answers 554, not 451, to REST past the end then STOR, and keeps the file', async () => {
    const c = await withFile('a.txt', 'x'.repeat(100));
    expect(await c.code('REST 101')).toBe(350);
    expect((await c.upload('STOR a.txt', 'zz')).first.code).toBe(554);
    expect(await content(c, 'a.txt')).toBe('x'.repeat(100));
    expect(await c.code('REST 100')).toBe(350);
    expect((await c.upload('STOR a.txt', 'zz')).last?.code).toBe(226);
    expect(await content(c, 'a.txt')).toBe(`${'x'.repeat(100)}zz`);
  });

  it('refuses a nonzero REST in TYPE A (whose offsets count the CRLF stream SIZE reports)', async () => {
    const c = await withFile('t.txt', 'a\nb\n');
    expect(await c.code('TYPE A')).toBe(200);
    expect((await c.cmd('SIZE t.txt')).lines[0]).toBe('6');
    expect(await c.code('REST 3')).toBe(504);
    // Nothing pending: the whole converted file comes back.
    expect(await content(c, 't.txt')).toBe('a\r\nb\r\n');
    expect(await c.code('REST 0')).toBe(350);
    expect(await content(c, 't.txt')).toBe('a\r\nb\r\n');
  });

  it('refuses a restart that a change to TYPE A made ambiguous with 555 (type mismatch)', async () => {
    const c = await withFile('t.txt', 'a\nb\n');
    expect(await c.code('REST 2')).toBe(350);
    expect(await c.code('TYPE A')).toBe(200);
    expect((await c.download('RETR t.txt')).first.code).toBe(555);
    expect(await c.code('REST 2')).toBe(504);
    expect(await c.code('TYPE I')).toBe(200);
    expect(await c.code('REST 2')).toBe(350);
    expect(await c.code('TYPE A')).toBe(200);
    expect((await c.upload('STOR t.txt', 'zz')).first.code).toBe(555);
    expect(await c.code('TYPE I')).toBe(200);
    expect(await content(c, 't.txt')).toBe('a\nb\n');
  });
});
