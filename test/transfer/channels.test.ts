import { randomBytes, randomInt } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, isDataConnectionError, type SessionDataChannel } from '../../src/transfer/index.js';
import { closed, dial, readAll } from './helpers/data-client.js';
import { DiskFs } from './helpers/disk-fs.js';
import { loopbackSession } from './helpers/session.js';
import { hasIpv6Loopback } from '../support/ipv6.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const ipv6 = await hasIpv6Loopback();

function refused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(true);
    });
  });
}

async function* noLines(): AsyncIterable<string> {
  await Promise.resolve();
  yield* [];
}

/** A port that was free a moment ago: nothing listens there now. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 1);
      });
    });
  });
}

function listenAt(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(undefined);
    });
    server.listen(port, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

/**
 * Three consecutive ports that were all free a moment ago, below Linux's ephemeral range (so
 * outgoing connections do not take them); other processes on the machine use fixed ports too.
 */
async function freeTinyRange(): Promise<{ min: number; max: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const min = 20_000 + randomInt(12_000);
    const held = await Promise.all([min, min + 1, min + 2].map(listenAt));
    for (const server of held) server?.close();
    if (held.every((server) => server !== undefined)) return { min, max: min + 2 };
  }
  throw new Error('no three consecutive free ports found');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('passive channels', () => {
  const planes: LocalDataPlane[] = [];
  let fs: DiskFs;

  function makePlane(options: ConstructorParameters<typeof LocalDataPlane>[0] = {}): LocalDataPlane {
    const plane = new LocalDataPlane({ zeroCopy: 'off', ...options });
    planes.push(plane);
    return plane;
  }

  beforeEach(async () => {
    fs = await DiskFs.create(true);
  });

  afterEach(async () => {
    for (const plane of planes.splice(0)) {
      await plane.close();
      expect(plane.passiveListeners).toBe(0);
    }
    await fs.dispose();
  });

  it('picks ports of the range at random, not in sequence', async () => {
    const plane = makePlane({ passivePorts: { min: 42000, max: 42999 } });
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) {
      const channel = plane.attach(loopbackSession());
      const { port, host } = await channel.passive({ extended: false });
      expect(host).toBe('127.0.0.1');
      expect(port).toBeGreaterThanOrEqual(42000);
      expect(port).toBeLessThanOrEqual(42999);
      ports.push(port);
    }
    expect(new Set(ports).size).toBe(ports.length);
    const sequential = ports.every((p, i) => i === 0 || p === (ports[i - 1] ?? 0) + 1);
    expect(sequential).toBe(false);
  });

  it('uses every port of a tiny range and then refuses with no-passive-port', async () => {
    const range = await freeTinyRange();
    const plane = makePlane({ passivePorts: range });
    const got = new Set<number>();
    for (let i = 0; i < 3; i++) got.add((await plane.attach(loopbackSession()).passive({ extended: true })).port);
    expect([...got].sort()).toEqual([range.min, range.min + 1, range.max]);
    const error = await rejection(plane.attach(loopbackSession()).passive({ extended: true }));
    expect(isDataConnectionError(error, 'no-passive-port')).toBe(true);
  });

  it('keeps one listener per session: a new PASV closes the previous one', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession());
    const first = await channel.passive({ extended: true });
    const second = await channel.passive({ extended: true });
    expect(await refused(first.port)).toBe(true);
    expect(plane.passiveListeners).toBe(1);
    expect(await refused(second.port)).toBe(false);
  });

  it('closes a listener that gets no connection in time and reports a timeout (manual clock)', async () => {
    const clock = new ManualClock();
    const plane = makePlane({ passiveTimeoutMs: 80, clock });
    const channel = plane.attach(loopbackSession());
    const { port } = await channel.passive({ extended: true });
    clock.advance(79);
    expect(plane.passiveListeners).toBe(1);
    clock.advance(1);
    expect(await refused(port)).toBe(true);
    expect(plane.passiveListeners).toBe(0);
    writeFileSync(fs.host('a'), 'x');
    const error = await rejection(channel.retrieve(fs, '/a'));
    expect(isDataConnectionError(error, 'timeout')).toBe(true);
  });

  it('closes a connection from a foreign address and keeps serving the session', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession());
    const endpoint = await channel.passive({ extended: true });
    const stranger = await dial(endpoint, '127.0.0.2');
    await closed(stranger);
    const data = randomBytes(100_000);
    writeFileSync(fs.host('a'), data);
    const client = await dial(endpoint);
    const received = readAll(client);
    await channel.retrieve(fs, '/a');
    expect((await received).equals(data)).toBe(true);
  });

  it('accepts a foreign address when allowForeignDataConnections is set (FXP)', async () => {
    const plane = makePlane({ allowForeignDataConnections: true });
    const channel = plane.attach(loopbackSession());
    writeFileSync(fs.host('a'), 'fxp');
    const client = await dial(await channel.passive({ extended: true }), '127.0.0.2');
    const received = readAll(client);
    await channel.retrieve(fs, '/a');
    expect((await received).toString()).toBe('fxp');
  });

  it('caps passive listeners globally and frees slots on close', async () => {
    const plane = makePlane({ maxPassiveListeners: 2 });
    const a = plane.attach(loopbackSession());
    const b = plane.attach(loopbackSession());
    const c = plane.attach(loopbackSession());
    await a.passive({ extended: true });
    await b.passive({ extended: true });
    const error = await rejection(c.passive({ extended: true }));
    expect(isDataConnectionError(error, 'listener-limit')).toBe(true);
    await a.close();
    expect(plane.passiveListeners).toBe(1);
    await expect(c.passive({ extended: true })).resolves.toHaveProperty('port');
  });

  it('announces the NAT address, fixed or per client', async () => {
    const fixed = makePlane({ passiveAddress: '203.0.113.9' });
    expect((await fixed.attach(loopbackSession()).passive({ extended: false })).host).toBe('203.0.113.9');
    const perClient = makePlane({ passiveAddress: (client) => (client.startsWith('127.') ? '127.0.0.1' : '203.0.113.9') });
    expect((await perClient.attach(loopbackSession()).passive({ extended: false })).host).toBe('127.0.0.1');
  });

  it('refuses PASV on an IPv6 control connection', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession({ controlPeer: { host: '::1', port: 5000 }, controlLocal: { host: '::1', port: 21 } }));
    const error = await rejection(channel.passive({ extended: false }));
    expect(isDataConnectionError(error, 'pasv-ipv6')).toBe(true);
  });

  it.skipIf(!ipv6)('listens on IPv6 for EPSV on an IPv6 control connection', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession({ controlPeer: { host: '::1', port: 5000 }, controlLocal: { host: '::1', port: 21 } }));
    const endpoint = await channel.passive({ extended: true });
    writeFileSync(fs.host('six'), 'over ipv6');
    const client = await dial({ host: '::1', port: endpoint.port });
    const received = readAll(client);
    await channel.retrieve(fs, '/six');
    expect((await received).toString()).toBe('over ipv6');
  });

  it('refuses transfers without an endpoint and a second concurrent transfer', async () => {
    const plane = makePlane();
    const channel: SessionDataChannel = plane.attach(loopbackSession());
    writeFileSync(fs.host('a'), 'x');
    expect(isDataConnectionError(await rejection(channel.retrieve(fs, '/a')), 'no-endpoint')).toBe(true);
    await channel.passive({ extended: true });
    const first = channel.retrieve(fs, '/a');
    expect(isDataConnectionError(await rejection(channel.sendListing(noLines())), 'busy')).toBe(true);
    await channel.abort();
    await rejection(first);
  });

  it('does not announce a transfer (onStart) that ABOR cancelled while the file was opening', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession());
    writeFileSync(fs.host('a'), 'x');
    const slow = Object.create(fs) as DiskFs;
    slow.openRead = async (path, options) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return fs.openRead(path, options);
    };
    await channel.passive({ extended: true });
    let started = false;
    const running = channel.retrieve(slow, '/a', {
      onStart: () => {
        started = true;
      },
    });
    await channel.abort();
    const error = await rejection(running);
    expect((error as { code?: string }).code).toBe('transfer-aborted');
    expect(started).toBe(false);
  });

  it('keeps a listener prepared by a PASV that arrived during the previous transfer', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession());
    writeFileSync(fs.host('a'), randomBytes(10_000));
    const client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const firstByte = new Promise((resolve) => client.once('data', resolve));
    const running = channel.retrieve(fs, '/a');
    await firstByte;
    const next = await channel.passive({ extended: true });
    await running;
    await received;
    expect(channel.ready).toBe(true);
    const again = readAll(await dial(next));
    await channel.retrieve(fs, '/a');
    expect((await again).length).toBe(10_000);
  });

  it('frees a waiting listener on abort and on close', async () => {
    const plane = makePlane();
    const channel = plane.attach(loopbackSession());
    writeFileSync(fs.host('a'), 'x');
    const { port } = await channel.passive({ extended: true });
    const waiting = channel.retrieve(fs, '/a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await channel.abort();
    expect((await rejection(waiting)) instanceof Error).toBe(true);
    expect(await refused(port)).toBe(true);
    await channel.passive({ extended: true });
    await channel.close();
    await channel.close();
    expect(plane.passiveListeners).toBe(0);
    expect(isDataConnectionError(await rejection(channel.passive({ extended: true })), 'closed')).toBe(true);
  });
});

describe('active channels (bounce protection)', () => {
  const plane = new LocalDataPlane({ zeroCopy: 'off' });
  const relaxed = new LocalDataPlane({ zeroCopy: 'off', allowActiveLowPorts: true, allowActiveToForeignHosts: true });
  // Shared by every case: closed once after all of them, whatever order a shuffled run picks.
  afterAll(async () => {
    await plane.close();
    await relaxed.close();
  });

  it.each([
    [{ host: '10.1.2.3', port: 5000 }, 'foreign-host'],
    [{ host: '127.0.0.1', port: 21 }, 'low-port'],
    [{ host: '127.0.0.1', port: 0 }, 'bad-port'],
    [{ host: '127.0.0.1', port: 70000 }, 'bad-port'],
    [{ host: 'example.com', port: 5000 }, 'foreign-host'],
  ] as const)('refuses %o with %s', async (target, reason) => {
    const channel = plane.attach(loopbackSession());
    const error = await rejection(channel.active(target));
    expect(isDataConnectionError(error, reason)).toBe(true);
    expect(channel.ready).toBe(false);
  });

  it('accepts the control peer in any spelling, and foreign or low targets only when relaxed', async () => {
    const channel = plane.attach(loopbackSession());
    await channel.active({ host: '::ffff:127.0.0.1', port: 5000 });
    expect(channel.ready).toBe(true);
    const fxp = relaxed.attach(loopbackSession());
    await fxp.active({ host: '10.1.2.3', port: 21 });
    expect(fxp.ready).toBe(true);
    await fxp.abort();
    expect(fxp.ready).toBe(false);
  });

  it('reports a refused active connection as a data-connection error', async () => {
    const channel = plane.attach(loopbackSession());
    const fs = await DiskFs.create(true);
    try {
      writeFileSync(fs.host('a'), 'x');
      const port = await closedPort();
      await channel.active({ host: '127.0.0.1', port });
      const error = await rejection(channel.retrieve(fs, '/a'));
      expect(isDataConnectionError(error, 'connect-failed')).toBe(true);
    } finally {
      await fs.dispose();
    }
  });
});

describe('options', () => {
  it.each([
    [{ passivePorts: { min: 5, max: 4 } }],
    [{ passivePorts: { min: 0, max: 10 } }],
    [{ passiveTimeoutMs: 0 }],
    [{ dataTimeoutMs: -1 }],
    [{ maxPassiveListeners: Number.NaN }],
    [{ throttle: { globalBytesPerSecond: 0 } }],
  ])('rejects %o at construction', (options) => {
    expect(() => new LocalDataPlane(options)).toThrow(RangeError);
  });

  it('documents its defaults in the resolved options', async () => {
    const plane = new LocalDataPlane({ zeroCopy: 'off' });
    expect(plane.options).toMatchObject({
      passiveTimeoutMs: 30_000,
      maxPassiveListeners: 1000,
      allowForeignDataConnections: false,
      allowActiveToForeignHosts: false,
      allowActiveLowPorts: false,
      dataTimeoutMs: 300_000,
      zeroCopy: 'off',
    });
    expect(plane.zeroCopyAvailable).toBe(false);
    await plane.close();
  });
});
