import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FtpServer, type FtpServerOptions } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem, type MemoryFileSystemOptions } from '../../src/vfs/index.js';
import { type RawClient, epsvPort, startSentinel, waitFor, type Sentinel } from './helpers.js';
import { RawClientPool } from '../support/raw-client-pool.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

// Catalogue: Data channel (security.md); bounce advisories ftp-srv CVE-2020-15152 and
// pyftpdlib CVE-2007-6741; descriptor advisories CVE-2008-7264/CVE-2009-5013 (leak counts are
// in test/server/leaks.test.ts); data stall 426 is in test/session/transfers.test.ts.

interface Live {
  readonly fs: MemoryFileSystem;
  readonly port: number;
  client(): Promise<RawClient>;
}

const servers: FtpServer[] = [];
const clients = new RawClientPool();
const sentinels: Sentinel[] = [];

afterEach(async () => {
  clients.closeAll();
  for (const server of servers.splice(0)) await server.close({ graceMs: 50 });
  for (const sentinel of sentinels.splice(0)) await sentinel.close();
});

async function start(options: Partial<FtpServerOptions> = {}, fsOptions: MemoryFileSystemOptions = {}): Promise<Live> {
  const fs = new MemoryFileSystem(fsOptions);
  const server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs: fs }] }), failedLoginDelayMs: 1, ...options });
  servers.push(server);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    fs,
    port,
    async client() {
      const { client } = await clients.connect(port);
      expect(await client.login()).toBe(230);
      return client;
    },
  };
}

async function sentinel(): Promise<Sentinel> {
  const s = await startSentinel();
  sentinels.push(s);
  return s;
}

async function put(fs: MemoryFileSystem, path: string, bytes: Buffer): Promise<void> {
  const handle = await fs.openWrite(path);
  const stream = handle.stream();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(bytes, resolve);
  });
  await handle.commit();
}

async function read(fs: MemoryFileSystem, path: string): Promise<Buffer> {
  const handle = await fs.openRead(path);
  const chunks: Buffer[] = [];
  for await (const chunk of handle.stream()) chunks.push(chunk as Buffer);
  await handle.close();
  return Buffer.concat(chunks);
}

async function exists(fs: MemoryFileSystem, path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

function portArgs(host: string, port: number): string {
  return `${host.replaceAll('.', ',')},${Math.floor(port / 256)},${port % 256}`;
}

describe('hostile: active mode (bounce)', () => {
  it('PORT/EPRT to a third party or a port < 1024 get 504, malformed ones 501, an unknown protocol 522; no connection is made', async () => {
    const live = await start();
    const client = await live.client();
    const target = await sentinel();
    // 504: a parameter the policy refuses (bounce, privileged port); 501: not a valid address; 522: RFC 2428's unknown protocol.
    const refused: readonly (readonly [string, number])[] = [
      [`PORT ${portArgs('127.0.0.2', target.port)}`, 504],
      [`PORT ${portArgs('10.0.0.1', target.port)}`, 504],
      ['PORT 127,0,0,1,0,0', 501],
      ['PORT 127,0,0,1,0,21', 504],
      ['PORT 127,0,0,1,300,1', 501],
      ['PORT 127,0,0,256,4,1', 501],
      ['PORT 127,0,0,1,-1,1', 501],
      ['PORT 127,0,0,1', 501],
      [`EPRT |1|127.0.0.2|${target.port}|`, 504],
      [`EPRT |2|::ffff:127.0.0.2|${target.port}|`, 504],
      [`EPRT |2|::1|${target.port}|`, 504],
      ['EPRT |1|127.0.0.1|0|', 501],
      ['EPRT |1|127.0.0.1|21|', 504],
      ['EPRT |1|127.0.0.1|65536|', 501],
      ['EPRT |3|127.0.0.1|2000|', 522],
    ];
    for (const [command, expected] of refused) {
      expect([command, await client.code(command)]).toEqual([command, expected]);
      // Nothing was prepared: a transfer cannot run on a refused target.
      expect([command, await client.code('LIST')]).toEqual([command, 425]);
    }
    await delay(50);
    expect(target.connections).toBe(0);
  });

  it('PORT to the control peer itself works (the bounce check is not a blanket refusal)', async () => {
    const live = await start();
    const client = await live.client();
    const target = await sentinel();
    expect(await client.code(`PORT ${portArgs('127.0.0.1', target.port)}`)).toBe(200);
    const list = await client.code('LIST');
    expect(list).toBe(150);
    expect(await waitFor(() => target.connections > 0)).toBe(true);
  });
});

describe('hostile: passive mode', () => {
  it('PASV never connected: 425 after passiveTimeoutMs and the listener is closed (manual clock)', async () => {
    const clock = new ManualClock();
    const live = await start({ passiveTimeoutMs: 150, clock });
    const client = await live.client();
    const port = epsvPort((await client.cmd('EPSV')).lines.join(' '));
    clock.advance(150);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => {
        resolve(true);
      });
    });
    expect(refused).toBe(true);
    // The transfer then has no endpoint: the preliminary 150, then 425 (the listener's failure is kept).
    expect(await client.code('LIST')).toBe(150);
    expect((await client.reply()).code).toBe(425);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('LIST after PASV, client never connects: 425 after the timeout, session kept (manual clock)', async () => {
    const clock = new ManualClock();
    const live = await start({ passiveTimeoutMs: 150, clock });
    const client = await live.client();
    expect(await client.code('EPSV')).toBe(229);
    expect(await client.code('LIST')).toBe(150);
    clock.advance(149);
    expect(await client.code('NOOP')).toBe(200);
    clock.advance(1);
    expect((await client.reply()).code).toBe(425);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('thousands of PASV keep one listener per session (older ones closed)', async () => {
    // The command rate limit would delay this pipelined flood by tens of seconds (floods.test.ts covers it).
    const live = await start({ commandRate: false });
    const client = await live.client();
    const count = 2000;
    client.send(Buffer.from('EPSV\r\n'.repeat(count)));
    const ports: number[] = [];
    // Every EPSV gets its reply; on a loaded machine one can take longer than the default 5 s.
    for (let i = 0; i < count; i++) ports.push(epsvPort((await client.reply(15_000)).lines.join(' ')));
    const probe = (port: number): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => {
          resolve(false);
        });
      });
    const earlier = [...new Set(ports.slice(0, -1))].filter((port) => port !== ports.at(-1)).slice(-20);
    for (const port of earlier) expect([port, await probe(port)]).toEqual([port, false]);
  });

  it('a global cap on passive listeners: 425 when exhausted, and free again once released', async () => {
    const live = await start({ maxPassiveListeners: 2 });
    const a = await live.client();
    const b = await live.client();
    const c = await live.client();
    expect(await a.code('EPSV')).toBe(229);
    expect(await b.code('EPSV')).toBe(229);
    expect(await c.code('EPSV')).toBe(425);
    a.close();
    expect(await waitFor(async () => (await c.code('EPSV')) === 229)).toBe(true);
  });
});

describe('hostile: transfers', () => {
  it('client drops mid-RETR: 426 and the session goes on', async () => {
    const live = await start();
    await put(live.fs, '/big', Buffer.alloc(32 * 1024 * 1024, 7));
    const client = await live.client();
    const data = await client.passive();
    expect(await client.code('RETR /big')).toBe(150);
    await new Promise<void>((resolve) => data.socket.once('data', () => { resolve(); }));
    data.socket.resetAndDestroy();
    // RFC 959: 426 Connection closed; transfer aborted (451 is for local errors).
    expect((await client.reply()).code).toBe(426);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('client drops mid-STOR: the partial upload is never published', async () => {
    const live = await start();
    const client = await live.client();
    const data = await client.passive();
    expect(await client.code('STOR /partial.bin')).toBe(150);
    data.socket.write(Buffer.alloc(256 * 1024, 1));
    await delay(50);
    data.socket.resetAndDestroy();
    expect((await client.reply()).code).toBe(426);
    expect(await exists(live.fs, '/partial.bin')).toBe(false);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('ABOR mid-transfer: 426 then 226; ABOR with nothing running: 225', async () => {
    const live = await start();
    await put(live.fs, '/big', Buffer.alloc(32 * 1024 * 1024, 7));
    const client = await live.client();
    expect(await client.code('ABOR')).toBe(225);
    const data = await client.passive();
    // Do not read: the server stays mid-transfer on back-pressure.
    data.socket.pause();
    expect(await client.code('RETR /big')).toBe(150);
    client.send(Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
    client.send('ABOR');
    expect((await client.reply()).code).toBe(426);
    expect((await client.reply()).code).toBe(226);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('REST beyond EOF then RETR: 554; negative or non-numeric REST: 501', async () => {
    const live = await start();
    await put(live.fs, '/small', Buffer.from('0123456789'));
    const client = await live.client();
    expect(await client.code('TYPE I')).toBe(200);
    for (const arg of ['-1', 'abc', '1e3', '0x10', '', '99999999999999999999999']) {
      expect([arg, await client.code(`REST ${arg}`.trimEnd())]).toEqual([arg, 501]);
    }
    expect(await client.code('REST 11')).toBe(350);
    const data = await client.passive();
    const code = await client.code('RETR /small');
    data.socket.destroy();
    expect(code).toBe(554);
    expect(await client.code('NOOP')).toBe(200);
  });

  it('STOR onto a directory and RETR of a directory get 550', async () => {
    const live = await start();
    await live.fs.mkdir('/dir');
    const client = await live.client();
    for (const command of ['STOR /dir', 'RETR /dir', 'APPE /dir', 'STOR /']) {
      const data = await client.passive();
      const code = await client.code(command);
      data.socket.destroy();
      expect([command, code]).toEqual([command, 550]);
    }
    expect((await live.fs.stat('/dir')).type).toBe('dir');
  });

  it('two sessions STOR the same path at once: the result is one upload whole, never mixed', async () => {
    const live = await start();
    const a = await live.client();
    const b = await live.client();
    const da = await a.passive();
    const db = await b.passive();
    expect(await a.code('STOR /same.bin')).toBe(150);
    expect(await b.code('STOR /same.bin')).toBe(150);
    const chunkA = Buffer.alloc(64 * 1024, 0x61);
    const chunkB = Buffer.alloc(64 * 1024, 0x62);
    for (let i = 0; i < 16; i++) {
      da.socket.write(chunkA);
      db.socket.write(chunkB);
      await delay(1);
    }
    da.socket.end();
    db.socket.end();
    expect((await a.reply()).code).toBe(226);
    expect((await b.reply()).code).toBe(226);
    const content = await read(live.fs, '/same.bin');
    expect(content.length).toBe(16 * 64 * 1024);
    const first = content[0];
    expect(content.every((byte) => byte === first)).toBe(true);
  });

  it('disk full mid-STOR: 552, partial removed, session kept', async () => {
    const live = await start({}, { maxBytes: 256 * 1024 });
    const client = await live.client();
    const data = await client.passive();
    expect(await client.code('STOR /huge.bin')).toBe(150);
    data.socket.on('error', () => undefined);
    data.socket.end(Buffer.alloc(2 * 1024 * 1024, 3));
    // 552: exceeded storage allocation (RFC 959), the FsError no-space mapping.
    expect((await client.reply()).code).toBe(552);
    expect(await exists(live.fs, '/huge.bin')).toBe(false);
    expect(await client.code('NOOP')).toBe(200);
    // Space was given back: a small upload fits again.
    const again = await client.passive();
    expect(await client.code('STOR /ok.bin')).toBe(150);
    again.socket.end(Buffer.alloc(1024, 4));
    expect((await client.reply()).code).toBe(226);
  });
});
