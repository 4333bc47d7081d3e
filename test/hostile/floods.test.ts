import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRate } from '../../src/server/connection-rate.js';
import { CommandRate } from '../../src/session/command-rate.js';
import { createServer } from '../../src/server/index.js';
import { ManualClock } from '../../src/testing/manual-clock.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { firstCode, startTestServer, waitFor, type TestServer } from './helpers.js';
import { pino } from 'pino';
import { parseConnectionRate, parseLoginBan } from '../../src/cli/flood-flags.js';
import { resolveServeConfig } from '../../src/cli/serve-config.js';
import { startStandalone } from '../../src/cli/start-standalone.js';
import { makeTempDir } from '../support/temp-dir.js';

// Catalogue: Connection or command floods: delay, then ban (security.md).

const servers: TestServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}


/** A raw control socket that records every reply line, in arrival order. */
async function rawLines(port: number): Promise<{ socket: Socket; lines: string[] }> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  socket.on('error', () => undefined);
  const lines: string[] = [];
  let rest = '';
  socket.on('data', (chunk: Buffer) => {
    rest += chunk.toString('latin1');
    const parts = rest.split('\r\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, lines };
}

describe('ConnectionRate (fake clock)', () => {
  it('admits maxConnections per window, bans the next for banMs, refusals do not extend the ban', () => {
    let now = 0;
    const rate = new ConnectionRate({ maxConnections: 3, windowMs: 1000, banMs: 5000 }, () => now);
    expect([rate.admit('a'), rate.admit('a'), rate.admit('a')]).toEqual(['ok', 'ok', 'ok']);
    expect(rate.admit('b')).toBe('ok');
    expect(rate.admit('a')).toBe('over-rate');
    now = 4999;
    expect(rate.admit('a')).toBe('banned');
    now = 5000;
    expect(rate.admit('a')).toBe('ok');
  });

  it('starts a fresh window after windowMs', () => {
    let now = 0;
    const rate = new ConnectionRate({ maxConnections: 2, windowMs: 1000 }, () => now);
    rate.admit('a');
    rate.admit('a');
    now = 1000;
    expect(rate.admit('a')).toBe('ok');
    expect(rate.admit('a')).toBe('ok');
    expect(rate.admit('a')).toBe('over-rate');
  });

  it('never tracks more than maxTracked addresses; no address gets more than 2 windows worth in any windowMs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.nat(30)), { maxLength: 400 }), (events) => {
        let now = 0;
        const rate = new ConnectionRate({ maxConnections: 3, windowMs: 100, banMs: 100, maxTracked: 64 }, () => now);
        const admitted = new Map<string, number[]>();
        for (const [address, step] of events) {
          now += step;
          const ip = `10.0.0.${String(address)}`;
          if (rate.admit(ip) === 'ok') admitted.set(ip, [...(admitted.get(ip) ?? []), now]);
          if (rate.size > 64) return false;
        }
        // Fixed windows: any span shorter than windowMs overlaps at most two of them.
        return [...admitted.values()].every((times) => times.every((t, i) => i < 6 || t - (times[i - 6] ?? 0) >= 100));
      }),
      { numRuns: 200 },
    );
  });

  it('memory stays bounded under many addresses', () => {
    const rate = new ConnectionRate({ maxTracked: 16 });
    for (let i = 0; i < 1000; i++) rate.admit(`10.0.${String(i >> 8)}.${String(i & 255)}`);
    expect(rate.size).toBe(16);
  });
});

describe('CommandRate (fake clock)', () => {
  it('gives burst tokens at once, then perSecond', () => {
    let now = 0;
    const rate = new CommandRate({ perSecond: 10, burst: 3 }, () => now);
    expect([rate.tryTake(), rate.tryTake(), rate.tryTake()]).toEqual([0, 0, 0]);
    expect(rate.tryTake()).toBe(100);
    now = 100;
    expect(rate.tryTake()).toBe(0);
    now = 10_000;
    expect([rate.tryTake(), rate.tryTake(), rate.tryTake(), rate.tryTake() > 0]).toEqual([0, 0, 0, true]);
  });

  it('never hands out more than burst + perSecond * elapsed tokens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 50 }), fc.array(fc.nat(200), { maxLength: 300 }), (perSecond, burst, steps) => {
        let now = 0;
        const rate = new CommandRate({ perSecond, burst }, () => now);
        let taken = 0;
        for (const step of steps) {
          now += step;
          if (rate.tryTake() === 0) taken++;
          if (taken > burst + (perSecond * now) / 1000) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('take() rejects when its signal is aborted', async () => {
    const rate = new CommandRate({ perSecond: 1, burst: 1 });
    await rate.take();
    const controller = new AbortController();
    const waiting = rate.take(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });
});

describe('hostile: connection flood', () => {
  it('over the connection rate: 421 and close, then the address is banned', async () => {
    const { port } = await start({ connectionRate: { maxConnections: 5, windowMs: 60_000, banMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push(await firstCode(port, sockets));
    expect(codes).toEqual([220, 220, 220, 220, 220]);
    for (const socket of sockets.splice(0)) socket.destroy();
    // Closing the earlier connections does not help: the rate counts connections opened, not open.
    expect(await firstCode(port, sockets)).toBe(421);
    expect(await firstCode(port, sockets)).toBe(421);
  });

  it('the ban expires after banMs (manual clock)', async () => {
    const clock = new ManualClock();
    const { port } = await start({ connectionRate: { maxConnections: 1, windowMs: 60_000, banMs: 200 }, clock });
    expect(await firstCode(port, sockets)).toBe(220);
    expect(await firstCode(port, sockets)).toBe(421);
    clock.advance(199);
    expect(await firstCode(port, sockets)).toBe(421);
    clock.advance(1);
    expect(await firstCode(port, sockets)).toBe(220);
  });

  it('connectionRate: false turns it off', async () => {
    const { port } = await start({ connectionRate: false });
    const codes = await Promise.all(Array.from({ length: 40 }, () => firstCode(port, sockets)));
    expect(codes.every((code) => code === 220)).toBe(true);
  });

  it('the default (200 per 10 s) applies to loopback too', async () => {
    const server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'a', password: 'b', fs: new MemoryFileSystem() }] }) });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const codes: number[] = [];
      // One connection at a time, each closed after its greeting, so the per-address session cap is not what refuses.
      for (let i = 0; i < 201; i++) {
        codes.push(await firstCode(port, sockets));
        sockets.pop()?.destroy();
      }
      expect(codes.slice(0, 200).every((code) => code === 220)).toBe(true);
      expect(codes[200]).toBe(421);
    } finally {
      for (const socket of sockets.splice(0)) socket.destroy();
      await server.close({ graceMs: 0 });
    }
  });

  it('rejects invalid rate options', () => {
    const authorizer = new MemoryAuthorizer({ users: [] });
    expect(() => createServer({ authorizer, connectionRate: { maxConnections: 0 } })).toThrow(/connectionRate.maxConnections/);
    expect(() => createServer({ authorizer, commandRate: { perSecond: 1.5 } })).toThrow(/commandRate.perSecond/);
  });
});

describe('hostile: command flood', () => {
  // Timers on the manual clock while a session waits for a token: the session's (login and
  // idle timeout) and the token wait.
  const WAITING_FOR_TOKEN = 2;

  it('pipelined NOOPs over the rate wait for tokens: the burst at once, then one per 1/perSecond', async () => {
    const clock = new ManualClock();
    const { port } = await start({ commandRate: { perSecond: 20, burst: 5 }, clock });
    const { socket, lines } = await rawLines(port);
    expect(await waitFor(() => lines.length === 1, 5000)).toBe(true);
    socket.write('NOOP\r\n'.repeat(200));
    expect(await waitFor(() => clock.pendingTimers === WAITING_FOR_TOKEN && lines.length === 1 + 5, 5000)).toBe(true);
    // 20 per second: each 50 ms of clock time buys exactly one more reply.
    for (let step = 1; step <= 3; step++) {
      clock.advance(50);
      expect(await waitFor(() => clock.pendingTimers === WAITING_FOR_TOKEN && lines.length === 1 + 5 + step, 5000)).toBe(true);
    }
    expect(lines.slice(1).every((line) => line.startsWith('200'))).toBe(true);
  });

  it('every command of a flood is answered, in order, once tokens come back', async () => {
    const clock = new ManualClock();
    const { port } = await start({ commandRate: { perSecond: 200, burst: 5 }, clock });
    const { socket, lines } = await rawLines(port);
    expect(await waitFor(() => lines.length === 1, 5000)).toBe(true);
    const count = 200;
    socket.write(Array.from({ length: count }, () => 'NOOP\r\n').join('') + 'PWD\r\nQUIT\r\n');
    // Bounded: 1 s of clock time refills the burst (5), so about 41 steps answer everything.
    for (let step = 0; step < 100 && lines.length < count + 3; step++) {
      expect(await waitFor(() => clock.pendingTimers === WAITING_FOR_TOKEN || lines.length === count + 3, 5000)).toBe(true);
      clock.advance(1000);
    }
    expect(await waitFor(() => lines.length === count + 3, 5000)).toBe(true);
    expect(lines.slice(1, count + 1).every((line) => line.startsWith('200'))).toBe(true);
    expect(lines[count + 1]?.slice(0, 3)).toBe('530');
    expect(lines[count + 2]?.slice(0, 3)).toBe('221');
  });

  it('a pipelined burst within `burst` is answered at once: no token wait while the clock stands still', async () => {
    const clock = new ManualClock();
    const { port } = await start({ commandRate: { perSecond: 1, burst: 50 }, clock });
    const { socket, lines } = await rawLines(port);
    expect(await waitFor(() => lines.length === 1, 5000)).toBe(true);
    socket.write('NOOP\r\n'.repeat(51));
    expect(await waitFor(() => lines.length === 51 && clock.pendingTimers === WAITING_FOR_TOKEN, 5000)).toBe(true);
    expect(lines.length).toBe(51);
  });

  it('commandRate: false turns it off', async () => {
    const { port } = await start({ commandRate: false });
    const { socket, lines } = await rawLines(port);
    expect(await waitFor(() => lines.length === 1, 5000)).toBe(true);
    socket.write('NOOP\r\n'.repeat(300));
    expect(await waitFor(() => lines.length === 301, 10_000)).toBe(true);
  });
});

describe('CLI flood flags', () => {
  it('parse off and COUNT/WINDOW_S/BAN_S', () => {
    expect(parseLoginBan('off')).toBe(false);
    expect(parseLoginBan('5/300/3600')).toEqual({ maxFailures: 5, windowMs: 300_000, banMs: 3_600_000 });
    expect(parseConnectionRate('off')).toBe(false);
    expect(parseConnectionRate('30/10/60')).toEqual({ maxConnections: 30, windowMs: 10_000, banMs: 60_000 });
  });

  it('refuse anything else with the option name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        const valid = text.trim() === 'off' || /^\s*[1-9]\d{0,8}\/0*[1-9]\d{0,6}\/0*[1-9]\d{0,6}\s*$/.test(text);
        if (valid) return true;
        try {
          parseConnectionRate(text);
        } catch (error) {
          return error instanceof Error && error.message.startsWith('--connection-rate:');
        }
        // Accepted: must be a well-formed triple of positive numbers.
        return /^\s*\d+\/\d+\/\d+\s*$/.test(text);
      }),
      { numRuns: 300 },
    );
    expect(() => parseLoginBan('0/1/1')).toThrow(/--login-ban/);
    expect(() => parseLoginBan('10/600')).toThrow(/--login-ban/);
  });
});

describe('CLI flood flags end to end', () => {
  it('map to the server options; config keys work too, the command line wins', () => {
    const config = resolveServeConfig({ root: '/x', user: ['a:b'], loginBan: 'off', connectionRate: '1/60/60' });
    expect(config.limits.server.loginBan).toBe(false);
    expect(config.limits.server.connectionRate).toEqual({ maxConnections: 1, windowMs: 60_000, banMs: 60_000 });
    const file = { baseDir: '/', root: '/x', users: ['a:b'], loginBan: '3/60/600', connectionRate: 'off' };
    expect(resolveServeConfig({}, file).limits.server.loginBan).toEqual({ maxFailures: 3, windowMs: 60_000, banMs: 600_000 });
    expect(resolveServeConfig({}, file).limits.server.connectionRate).toBe(false);
    expect(resolveServeConfig({ connectionRate: '2/1/1' }, file).limits.server.connectionRate).toEqual({ maxConnections: 2, windowMs: 1000, banMs: 1000 });
    expect(() => resolveServeConfig({ root: '/x', user: ['a:b'], connectionRate: 'lots' })).toThrow(/--connection-rate/);
  });

  it('ftpgrid serve --connection-rate 1/60/60 refuses the second connection with 421', async () => {
    const dir = await makeTempDir('ftpgrid-floods-');
    const config = resolveServeConfig({ listen: '127.0.0.1:0', root: dir.path, user: ['a:b'], connectionRate: '1/60/60' });
    const { server, address } = await startStandalone(config, pino({ level: 'silent' }));
    try {
      expect(await firstCode(address.port, sockets)).toBe(220);
      expect(await firstCode(address.port, sockets)).toBe(421);
    } finally {
      for (const socket of sockets.splice(0)) socket.destroy();
      await server.close({ graceMs: 0 });
      await dir.remove();
    }
  });
});
