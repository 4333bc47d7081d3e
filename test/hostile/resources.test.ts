import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FtpServer, type FtpServerOptions } from '../../src/server/index.js';
import { MemoryAuthorizer, MemoryFileSystem, type AbortOptions, type DirEntry } from '../../src/vfs/index.js';
import { firstCode, waitFor } from './helpers.js';
import { RawClientPool } from '../support/raw-client-pool.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

// Catalogue: Resources (security.md).

const servers: FtpServer[] = [];
const sockets: Socket[] = [];
const clients = new RawClientPool();

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  clients.closeAll();
  for (const server of servers.splice(0)) await server.close({ graceMs: 50 });
});

async function start(options: Partial<FtpServerOptions> = {}, fs = new MemoryFileSystem()): Promise<{ server: FtpServer; port: number }> {
  const server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] }), failedLoginDelayMs: 1, connectionRate: false, ...options });
  servers.push(server);
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, port };
}


async function openMany(port: number, count: number): Promise<number[]> {
  const codes: number[] = [];
  // In batches of 50 so the accept queue is never the limit being measured.
  for (let i = 0; i < count; i += 50) {
    codes.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => firstCode(port, sockets)))));
  }
  return codes;
}

describe('hostile: connection caps', () => {
  it('per-IP cap: idle connections beyond maxSessionsPerIp get 421', async () => {
    const { server, port } = await start({ maxSessionsPerIp: 40 });
    const codes = await openMany(port, 300);
    expect(codes.filter((code) => code === 220)).toHaveLength(40);
    expect(codes.filter((code) => code === 421)).toHaveLength(260);
    expect(server.sessionCount).toBe(40);
  });

  it('global cap: connections beyond maxSessions get 421', async () => {
    const { server, port } = await start({ maxSessions: 25, maxSessionsPerIp: 1000 });
    const codes = await openMany(port, 200);
    expect(codes.filter((code) => code === 220)).toHaveLength(25);
    expect(codes.filter((code) => code === 421)).toHaveLength(175);
    expect(server.sessionCount).toBe(25);
  });

  it('1000 idle connections: the login timeout closes them all with 421, slots come back (manual clock)', async () => {
    const clock = new ManualClock();
    const { server, port } = await start({ loginTimeoutMs: 300, maxSessions: 2000, maxSessionsPerIp: 2000, clock });
    const codes = await openMany(port, 1000);
    expect(codes.every((code) => code === 220)).toBe(true);
    // Every session queued its login deadline right after its greeting; all share one timer.
    expect(await waitFor(() => server.sessionCount === 1000, 10_000)).toBe(true);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerIn()).toBe(300);
    clock.advance(300);
    expect(await waitFor(() => server.sessionCount === 0, 10_000)).toBe(true);
    const { client } = await clients.connect(port);
    expect(await client.login()).toBe(230);
  });

  it('a failed-login flood from one address ends in a ban (see auth.test.ts for the details)', async () => {
    const { port } = await start({ maxLoginAttempts: 1, loginBan: { maxFailures: 5 } });
    for (let i = 0; i < 5; i++) {
      const { client } = await clients.connect(port);
      expect(await client.login('alice', 'bad')).toBe(421);
    }
    expect(await firstCode(port, sockets)).toBe(421);
  });
});

/** A directory `/big` of `count` synthesized entries, counting how many were pulled. */
class HugeDirectoryFileSystem extends MemoryFileSystem {
  produced = 0;
  readonly #count: number;

  constructor(count: number) {
    super();
    this.#count = count;
  }

  override async *list(path: string, options?: AbortOptions): AsyncIterable<DirEntry> {
    if (path !== '/big') {
      yield* super.list(path, options);
      return;
    }
    const mtime = new Date(0);
    const pad = 'x'.repeat(120);
    for (let i = 0; i < this.#count; i++) {
      options?.signal?.throwIfAborted();
      this.produced++;
      yield { name: `${pad}-${String(i).padStart(6, '0')}`, type: 'file', size: i, mtime };
    }
  }

  override async stat(path: string, options?: AbortOptions): ReturnType<MemoryFileSystem['stat']> {
    if (path === '/big') return { type: 'dir', size: 0, mtime: new Date(0) };
    return super.stat(path, options);
  }
}

describe('hostile: huge listings', () => {
  it('a listing of 100k entries streams with back-pressure (entries are pulled as the client reads)', async () => {
    const total = 100_000;
    const fs = new HugeDirectoryFileSystem(total);
    const { port } = await start({}, fs);
    const { client } = await clients.connect(port);
    expect(await client.login()).toBe(230);
    const data = await client.passive();
    data.socket.pause();
    expect(await client.code('LIST /big')).toBe(150);
    // ~200 bytes a line, 20 MB in all: far more than socket buffers hold while nobody reads.
    await waitFor(() => fs.produced > 0);
    await delay(300);
    const whilePaused = fs.produced;
    await delay(200);
    expect(fs.produced).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(total);
    data.socket.resume();
    const text = (await data.received).toString('latin1');
    expect((await client.reply(20_000)).code).toBe(226);
    expect(text.split('\r\n').filter((line) => line !== '')).toHaveLength(total);
    expect(fs.produced).toBe(total);
  }, 30_000);

  it('ABOR of a huge listing stops pulling entries', async () => {
    const fs = new HugeDirectoryFileSystem(1_000_000);
    const { port } = await start({}, fs);
    const { client } = await clients.connect(port);
    expect(await client.login()).toBe(230);
    const data = await client.passive();
    data.socket.pause();
    expect(await client.code('MLSD /big')).toBe(150);
    await waitFor(() => fs.produced > 0);
    client.send('ABOR');
    expect((await client.reply()).code).toBe(426);
    expect((await client.reply()).code).toBe(226);
    const after = fs.produced;
    await delay(200);
    expect(fs.produced).toBe(after);
    expect(after).toBeLessThan(1_000_000);
  });
});
