import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem, type AbortOptions, type DirEntry } from '../../src/vfs/index.js';
import { RawClient, startTestServer, waitFor, type TestServer } from './helpers.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

// Catalogue: Parsing (security.md).

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A MemoryFileSystem whose root listing also shows names no jail would accept. */
class HostileNamesFileSystem extends MemoryFileSystem {
  readonly #names: readonly string[];

  constructor(names: readonly string[]) {
    super();
    this.#names = names;
  }

  override async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    for await (const entry of super.list(path, options)) {
      yield entry;
      if (path === '/') for (const name of this.#names) yield { ...entry, name };
    }
  }
}

async function startServerOn(fs: MemoryFileSystem): Promise<{ client(): Promise<RawClient>; close(): Promise<void> }> {
  const ftp = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] }), failedLoginDelayMs: 1 });
  const { port } = await ftp.listen({ host: '127.0.0.1', port: 0 });
  const opened: RawClient[] = [];
  return {
    async client() {
      const { client } = await RawClient.connect(port);
      opened.push(client);
      return client;
    },
    async close() {
      for (const client of opened) client.close();
      await ftp.close({ graceMs: 50 });
    },
  };
}

async function listing(client: RawClient, verb: string): Promise<string> {
  const data = await client.passive();
  expect((await client.cmd(verb)).code).toBe(150);
  const bytes = await data.received;
  expect((await client.reply()).code).toBe(226);
  return bytes.toString('utf8');
}

describe('hostile: parsing', () => {
  it('an over-long line without LF gets 500 and the session resyncs at the next line', async () => {
    server = await startTestServer({ maxLineLength: 256 });
    const client = await server.client();
    // 1 MiB without a line end, in 64 KiB writes: the server must not buffer it all.
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 16; i++) client.send(chunk);
    client.send('\r\nNOOP');
    expect((await client.reply()).code).toBe(500);
    expect((await client.reply()).code).toBe(200);
    expect(await client.login()).toBe(230);
  });

  it('a slow trickle without CRLF does not reset the login timer: 421 and close (manual clock)', async () => {
    const clock = new ManualClock();
    server = await startTestServer({ loginTimeoutMs: 300, clock });
    const client = await server.client();
    // One byte per 100 ms of clock time: had each byte re-armed the timer, it would not fire at 300.
    for (let i = 0; i < 3; i++) {
      client.send(Buffer.from('N'));
      clock.advance(100);
    }
    expect((await client.reply()).code).toBe(421);
    expect(await waitFor(() => client.ended)).toBe(true);
  });

  it('a bare LF ends a line; a bare CR inside a line does not', async () => {
    server = await startTestServer();
    const client = await server.client();
    client.send(Buffer.from('NOOP\n'));
    expect((await client.reply()).code).toBe(200);
    client.send(Buffer.from('NOOP\rSYST\r\n'));
    expect((await client.reply()).code).not.toBe(200);
    // Had the CR split the line, a 215 for SYST would follow; the next reply is for this NOOP.
    expect(await client.code('NOOP')).toBe(200);
  });

  it('a NUL inside an argument gets 501 and nothing is created under a truncated name', async () => {
    server = await startTestServer();
    const client = await server.loggedIn();
    for (const verb of ['MKD', 'STOR', 'CWD', 'DELE', 'RNFR', 'SIZE']) {
      client.send(Buffer.from(`${verb} safe\0.evil\r\n`, 'latin1'));
      expect([verb, (await client.reply()).code]).toEqual([verb, 501]);
    }
    const names: string[] = [];
    for await (const entry of server.fs.list('/')) names.push(entry.name);
    expect(names).toEqual([]);
  });

  it('invalid UTF-8 names are refused or kept byte-distinct; two different byte strings never collapse', async () => {
    server = await startTestServer();
    const client = await server.loggedIn();
    const codes: number[] = [];
    for (const raw of [Buffer.from([0x78, 0xff]), Buffer.from([0x78, 0xfe]), Buffer.from([0x78, 0xc3])]) {
      client.send(Buffer.concat([Buffer.from('MKD '), raw, Buffer.from('\r\n')]));
      codes.push((await client.reply()).code);
    }
    // 0xff is Telnet IAC (RFC 854): `IAC CR` is a Telnet command, so the first line is `MKD x`
    // (257). 0xfe and a truncated 0xc3 are invalid UTF-8: 501, nothing created.
    expect(codes).toEqual([257, 501, 501]);
    const names: string[] = [];
    for await (const entry of server.fs.list('/')) names.push(entry.name);
    expect(names.length).toBe(codes.filter((code) => code === 257).length);
    expect(new Set(names).size).toBe(names.length);
  });

  it('Telnet IAC sequences are stripped, before ABOR too; thousands of IAC bytes are harmless', async () => {
    server = await startTestServer();
    const client = await server.loggedIn();
    // IP + DM (what clients send before ABOR), then ABOR with nothing running.
    client.send(Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
    client.send('ABOR');
    expect((await client.reply()).code).toBe(225);
    // 10 000 IAC NOP pairs (20 000 bytes, longer than the line cap) inside and around a command.
    const nops = Buffer.alloc(20_000);
    for (let i = 0; i < nops.length; i += 2) {
      nops[i] = 0xff;
      nops[i + 1] = 0xf1;
    }
    client.send(Buffer.concat([nops, Buffer.from('NO'), nops, Buffer.from('OP\r\n')]));
    const reply = await client.reply();
    expect(reply.code).toBe(200);
    expect(await client.code('NOOP')).toBe(200);
    expect(await client.code('PWD')).toBe(257);
  });

  it('pipelined commands get one reply each, in order', async () => {
    server = await startTestServer();
    const client = await server.client();
    client.send(Buffer.from('USER alice\r\nPASS secret\r\nNOOP\r\nPWD\r\nSYST\r\nTYPE I\r\nMKD /p\r\nCWD /p\r\nPWD\r\nBOGUS\r\nQUIT\r\n'));
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await client.reply()).code);
    expect(codes).toEqual([331, 230, 200, 257, 215, 200, 257, 250, 257, 500, 221]);
  });

  it('CR/LF and quotes in names never produce a raw line break in 257 or listings', async () => {
    // A backend may hold names the path jail would refuse (a disk written by other tools).
    const fs = new HostileNamesFileSystem(['x\r\n226 fake\r\ny', 'tab\there', 'lf\nonly']);
    await fs.mkdir('/real');
    const live = await startServerOn(fs);
    const client = await live.client();
    expect(await client.login()).toBe(230);
    const mkd = await client.cmd('MKD a"b');
    expect(mkd.code).toBe(257);
    expect(mkd.lines).toHaveLength(1);
    expect(mkd.lines[0]).toContain('"/a""b"');
    for (const verb of ['NLST', 'LIST', 'MLSD']) {
      const text = await listing(client, verb);
      expect(text).not.toMatch(/[^\r]\n|\r(?!\n)/);
      expect(text).not.toMatch(/^226 fake/m);
    }
    await live.close();
  });

  it('never emits ".." or names with a slash in listings (basic-ftp CVE-2026-27699)', async () => {
    const fs = new HostileNamesFileSystem(['..', '.', '../../etc/passwd', 'a/b', '..\\win']);
    await fs.mkdir('/real');
    const live = await startServerOn(fs);
    const client = await live.client();
    expect(await client.login()).toBe(230);
    for (const verb of ['NLST', 'LIST', 'MLSD']) {
      const text = await listing(client, verb);
      const names = text.split('\r\n').filter((line) => line !== '').map((line) => (verb === 'LIST' ? line.split(/ +/).slice(8).join(' ') : verb === 'MLSD' ? line.slice(line.indexOf(' ') + 1) : line));
      for (const name of names) {
        expect([verb, name.includes('/') || name === '..' || name.startsWith('../')]).toEqual([verb, false]);
      }
    }
    await live.close();
  });
});
