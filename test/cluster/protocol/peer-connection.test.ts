import { afterEach, describe, expect, it } from 'vitest';
import {
  MASTER_EVENTS, MASTER_OPERATIONS, PeerConnection, SLAVE_EVENTS, SLAVE_OPERATIONS,
  type MasterLink, type PeerConnectionOptions, type SlaveLink,
} from '../../../src/cluster/protocol/index.js';
import type { FramedSocket } from '../../../src/cluster/protocol/framed-socket.js';
import { closedWith, codeOf, dial, framedPair, pause, startListener, within } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type MasterOptions = Partial<PeerConnectionOptions<typeof MASTER_OPERATIONS, typeof SLAVE_OPERATIONS, typeof MASTER_EVENTS, typeof SLAVE_EVENTS>>;
type SlaveOptions = Partial<PeerConnectionOptions<typeof SLAVE_OPERATIONS, typeof MASTER_OPERATIONS, typeof SLAVE_EVENTS, typeof MASTER_EVENTS>>;

/** A master and a slave PeerConnection over loopback TCP (authenticated links are tested through the endpoints below). */
async function peers(masterOptions: MasterOptions = {}, slaveOptions: SlaveOptions = {}): Promise<{ master: SlaveLink; slave: MasterLink }> {
  const pair = await framedPair();
  cleanups.push(() => pair.close());
  const master: SlaveLink = new PeerConnection(pair.a, {
    localOperations: MASTER_OPERATIONS, remoteOperations: SLAVE_OPERATIONS, outgoingEvents: MASTER_EVENTS, incomingEvents: SLAVE_EVENTS, ...masterOptions,
  });
  const slave: MasterLink = new PeerConnection(pair.b, {
    localOperations: SLAVE_OPERATIONS, remoteOperations: MASTER_OPERATIONS, outgoingEvents: SLAVE_EVENTS, incomingEvents: MASTER_EVENTS, ...slaveOptions,
  });
  cleanups.push(() => {
    master.close();
    slave.close();
  });
  return { master, slave };
}

/** A master PeerConnection facing a raw FramedSocket that the test drives by hand. */
async function masterFacingRaw(masterOptions: MasterOptions = {}): Promise<{ master: SlaveLink; raw: FramedSocket; inbox: unknown[] }> {
  const pair = await framedPair();
  cleanups.push(() => pair.close());
  const master: SlaveLink = new PeerConnection(pair.a, {
    localOperations: MASTER_OPERATIONS, remoteOperations: SLAVE_OPERATIONS, outgoingEvents: MASTER_EVENTS, incomingEvents: SLAVE_EVENTS, ...masterOptions,
  });
  cleanups.push(() => {
    master.close();
  });
  const inbox: unknown[] = [];
  pair.b.onMessage((m) => inbox.push(m));
  return { master, raw: pair.b, inbox };
}

/** Resolves once `condition` holds (polled, bounded). */
async function until(condition: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await pause(5);
  }
}

const stat = { type: 'file' as const, size: 3, mtimeMs: 1000 };

describe('PeerConnection over authenticated links', () => {
  it('master -> slave and slave -> master requests are answered, with validated results', async () => {
    const l = await startListener();
    cleanups.push(() => l.close());
    const slave = await within(dial(l.port));
    cleanups.push(() => {
      slave.close();
    });
    const { link: master } = await l.nextSlave();
    const batches: unknown[] = [];
    master.serve({
      remergeBatch: (args) => {
        batches.push(args);
        return Promise.resolve({});
      },
    });
    slave.serve({ stat: ({ path }) => Promise.resolve({ ...stat, size: path.length }) });
    await expect(within(master.request('stat', { path: '/abcd' }))).resolves.toEqual({ ...stat, size: 5 });
    const entries = [{ path: '/a', type: 'file' as const, size: 1, mtimeMs: 2 }];
    await expect(within(slave.request('remergeBatch', { epoch: 1, entries }))).resolves.toEqual({});
    expect(batches).toEqual([{ epoch: 1, entries }]);
    expect(master.remoteAddress).toBe('127.0.0.1');
    expect(slave.localAddress).toBe('127.0.0.1');
  });

  it('frames sent right after the handshake, before serve()/listen(), are delivered once the handlers are installed', async () => {
    const l = await startListener();
    cleanups.push(() => l.close());
    const slave = await within(dial(l.port));
    cleanups.push(() => {
      slave.close();
    });
    slave.notify('heartbeat', { load: 1, transfers: 7 });
    const early = slave.request('remergeBatch', { epoch: 3, entries: [] });
    const { link: master } = await l.nextSlave();
    // A full round trip in the other direction: the event and request above are now queued at the master.
    slave.serve({ stat: () => Promise.resolve(stat) });
    await within(master.request('stat', { path: '/' }));
    const heartbeats: number[] = [];
    master.listen({ heartbeat: (d) => heartbeats.push(d.transfers) });
    expect(heartbeats).toEqual([7]);
    const epochs: number[] = [];
    master.serve({
      remergeBatch: ({ epoch }) => {
        epochs.push(epoch);
        return Promise.resolve({});
      },
    });
    await expect(within(early)).resolves.toEqual({});
    expect(epochs).toEqual([3]);
  });
});

describe('PeerConnection requests', () => {
  it('a request with malformed arguments is answered malformed and the handler never runs', async () => {
    const reasons: string[] = [];
    const { master, slave } = await peers({}, { onProtocolError: (r) => reasons.push(r) });
    let ran = 0;
    slave.serve({
      stat: () => {
        ran += 1;
        return Promise.resolve(stat);
      },
    });
    for (const bad of [{ path: 'relative' }, { path: '/a\0b' }, { path: '/a', extra: 1 }, {}, { path: 'x'.repeat(5000) }, 'not an object']) {
      await expect(within(master.request('stat', bad as never))).rejects.toMatchObject({ code: 'remote', remoteCode: 'malformed', message: 'malformed arguments of stat' });
    }
    expect(ran).toBe(0);
    expect(reasons).toEqual(Array.from({ length: 6 }, () => 'malformed arguments of stat'));
    await expect(within(master.request('stat', { path: '/ok' }))).resolves.toEqual(stat);
    expect(ran).toBe(1);
  });

  it('an unknown operation, or one the side does not serve, is refused', async () => {
    const { master, slave } = await peers();
    slave.serve({ stat: () => Promise.resolve(stat) });
    await expect(within(master.request('format' as never, {} as never))).rejects.toMatchObject({ code: 'remote', remoteCode: 'malformed', message: 'unknown operation format' });
    await expect(within(master.request('delete', { path: '/a' }))).rejects.toMatchObject({ code: 'remote', remoteCode: 'malformed', message: 'unknown operation delete' });
    await expect(within(master.request('__proto__' as never, {} as never))).rejects.toMatchObject({ code: 'remote', remoteCode: 'malformed' });
  });

  it('a handler\'s error reaches the caller with its code; errors without a string code become internal', async () => {
    const { master, slave } = await peers();
    slave.serve({
      delete: () => Promise.reject(Object.assign(new Error('no such file'), { code: 'ENOENT' })),
      rmdir: () => Promise.reject(new Error('boom')),
    });
    await expect(within(master.request('delete', { path: '/a' }))).rejects.toMatchObject({ name: 'ProtocolError', code: 'remote', remoteCode: 'ENOENT', message: 'no such file' });
    await expect(within(master.request('rmdir', { path: '/a' }))).rejects.toMatchObject({ code: 'remote', remoteCode: 'internal', message: 'boom' });
  });

  it('a handler that throws synchronously is answered as an error, the connection stays up', async () => {
    const { master, slave } = await peers();
    slave.serve({
      delete: () => {
        throw Object.assign(new Error('sync failure'), { code: 'EACCES' });
      },
      stat: () => Promise.resolve(stat),
    });
    await expect(within(master.request('delete', { path: '/a' }))).rejects.toMatchObject({ code: 'remote', remoteCode: 'EACCES', message: 'sync failure' });
    await expect(within(master.request('stat', { path: '/a' }))).resolves.toEqual(stat);
  });

  it('a result that does not match its schema rejects with malformed', async () => {
    const reasons: string[] = [];
    const { master, slave } = await peers({ onProtocolError: (r) => reasons.push(r) });
    slave.serve({ stat: () => Promise.resolve({ type: 'file', size: -1, mtimeMs: 0 } as never) });
    await expect(within(master.request('stat', { path: '/a' }))).rejects.toMatchObject({ code: 'malformed', message: 'malformed result of stat' });
    expect(reasons).toEqual(['malformed result of stat']);
  });

  it('a timeout rejects with timeout, sends a cancel and the handler\'s signal aborts', async () => {
    const { master, slave } = await peers();
    let signal: AbortSignal | undefined;
    slave.serve({
      stat: (_args, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    await expect(within(master.request('stat', { path: '/a' }, { timeoutMs: 100 }))).rejects.toMatchObject({ code: 'timeout' });
    await until(() => signal?.aborted === true, 5000, 'handler abort');
    expect(codeOf(signal?.reason)).toBe('aborted');
  });

  it('the connection-wide requestTimeoutMs applies when a request gives none; timeoutMs 0 means none', async () => {
    const { master, slave } = await peers({ requestTimeoutMs: 100 });
    let release: (() => void) | undefined;
    slave.serve({
      stat: () => new Promise(() => undefined),
      delete: () => new Promise((resolve) => (release = () => {
        resolve({});
      })),
    });
    await expect(within(master.request('stat', { path: '/a' }))).rejects.toMatchObject({ code: 'timeout' });
    const long = master.request('delete', { path: '/a' }, { timeoutMs: 0 });
    await pause(300); // three times the connection's timeout: it must not apply
    await until(() => release !== undefined);
    release!();
    await expect(within(long)).resolves.toEqual({});
  });

  it('an answer after the timeout is ignored', async () => {
    const { master, slave } = await peers();
    let answer: (() => void) | undefined;
    slave.serve({
      stat: () => new Promise((resolve) => (answer = () => {
        resolve(stat);
      })),
      rmdir: () => Promise.resolve({}),
    });
    await expect(within(master.request('stat', { path: '/a' }, { timeoutMs: 100 }))).rejects.toMatchObject({ code: 'timeout' });
    answer!();
    await expect(within(master.request('rmdir', { path: '/b' }))).resolves.toEqual({});
    expect(master.closed).toBe(false);
  });

  it('an AbortSignal cancels the request (rejects aborted) and aborts the remote handler', async () => {
    const { master, slave } = await peers();
    let signal: AbortSignal | undefined;
    slave.serve({
      stat: (_args, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    const controller = new AbortController();
    const request = master.request('stat', { path: '/a' }, { signal: controller.signal });
    const rejected = expect(within(request)).rejects.toMatchObject({ code: 'aborted' });
    await until(() => signal !== undefined, 5000, 'handler start');
    controller.abort();
    await rejected;
    await until(() => signal?.aborted === true, 5000, 'handler abort');
  });

  it('an already aborted signal rejects at once and nothing is sent', async () => {
    const { master, slave } = await peers();
    let ran = false;
    slave.serve({
      stat: () => {
        ran = true;
        return Promise.resolve(stat);
      },
      rmdir: () => Promise.resolve({}),
    });
    await expect(master.request('stat', { path: '/a' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    await within(master.request('rmdir', { path: '/a' }));
    expect(ran).toBe(false);
  });

  it('maxInFlight: one request too many rejects with busy, and room comes back when one is answered', async () => {
    const { master, slave } = await peers({ maxInFlight: 2 });
    const releases: (() => void)[] = [];
    slave.serve({
      stat: () => new Promise((resolve) => releases.push(() => {
        resolve(stat);
      })),
    });
    const first = master.request('stat', { path: '/1' });
    const second = master.request('stat', { path: '/2' });
    await expect(master.request('stat', { path: '/3' })).rejects.toMatchObject({ code: 'busy' });
    await until(() => releases.length === 2);
    releases[0]!();
    await within(first);
    const third = master.request('stat', { path: '/3' });
    await until(() => releases.length === 3);
    releases[1]!();
    releases[2]!();
    await expect(within(Promise.all([second, third]))).resolves.toHaveLength(2);
  });

  it('maxServing: the serving side answers busy beyond its limit', async () => {
    const { master, slave } = await peers({}, { maxServing: 1 });
    let release: (() => void) | undefined;
    slave.serve({
      stat: () => new Promise((resolve) => (release = () => {
        resolve(stat);
      })),
    });
    const first = master.request('stat', { path: '/1' });
    await until(() => release !== undefined);
    await expect(within(master.request('stat', { path: '/2' }))).rejects.toMatchObject({ code: 'remote', remoteCode: 'busy' });
    release!();
    await expect(within(first)).resolves.toEqual(stat);
  });

  it('a closing connection rejects every pending request with closed and aborts what it serves', async () => {
    const { master, slave } = await peers();
    const signals: AbortSignal[] = [];
    slave.serve({
      stat: (_a, context) => {
        signals.push(context.signal);
        return new Promise(() => undefined);
      },
    });
    const pending = [1, 2, 3].map((n) => master.request('stat', { path: `/${n}` }));
    const settled = within(Promise.allSettled(pending));
    await until(() => signals.length === 3);
    const masterClosed = closedWith(master);
    slave.close();
    const results = await settled;
    expect(results.map((r) => (r.status === 'rejected' ? codeOf(r.reason) : 'fulfilled'))).toEqual(['closed', 'closed', 'closed']);
    expect(signals.every((s) => s.aborted)).toBe(true);
    await masterClosed;
    await expect(master.request('stat', { path: '/4' })).rejects.toMatchObject({ code: 'closed' });
  });

  it('closing our own side rejects our pending requests with closed too', async () => {
    const { master, slave } = await peers();
    slave.serve({ stat: () => new Promise(() => undefined) });
    const pending = master.request('stat', { path: '/1' });
    const rejected = expect(within(pending)).rejects.toMatchObject({ code: 'closed' });
    master.close();
    await rejected;
    expect(master.closed).toBe(true);
  });
});

describe('PeerConnection events and hygiene', () => {
  it('events are validated: malformed and unknown ones are dropped and reported, valid ones delivered', async () => {
    const reasons: string[] = [];
    const { master, raw, inbox } = await masterFacingRaw({ onProtocolError: (r) => reasons.push(r) });
    const got: unknown[] = [];
    master.listen({ heartbeat: (d) => got.push(d), transferProgress: (d) => got.push(d) });
    raw.send({ t: 'evt', ev: 'heartbeat', d: { load: -1, transfers: 0 } });
    raw.send({ t: 'evt', ev: 'heartbeat', d: { load: 0, transfers: 0, admin: true } });
    raw.send({ t: 'evt', ev: 'selfDestruct', d: {} });
    raw.send({ t: 'evt', ev: 'transferProgress', d: { transferId: 't', bytes: 10 } });
    await until(() => got.length === 1);
    expect(got).toEqual([{ transferId: 't', bytes: 10 }]);
    expect(reasons).toEqual(['malformed heartbeat event', 'malformed heartbeat event', 'unknown event selfDestruct']);
    await until(() => inbox.length === 3);
    expect(inbox).toEqual(['malformed heartbeat event', 'malformed heartbeat event', 'unknown event selfDestruct'].map((message) => ({ t: 'err', id: 0, code: 'malformed', message })));
  });

  it('a malformed envelope is answered with an err frame of id 0', async () => {
    const { raw, inbox } = await masterFacingRaw();
    raw.send({ t: 'req', id: -4, op: 'stat', a: {} });
    await until(() => inbox.length === 1);
    expect(inbox[0]).toEqual({ t: 'err', id: 0, code: 'malformed', message: 'malformed envelope' });
  });

  it('15 malformed frames are answered; the 16th closes the connection with malformed', async () => {
    const { master, raw, inbox } = await masterFacingRaw();
    for (let i = 0; i < 15; i += 1) raw.send({ t: 'nonsense', i });
    await until(() => inbox.length === 15);
    expect(master.closed).toBe(false);
    const closing = closedWith(master);
    raw.send(['still', 'nonsense']);
    expect(codeOf(await closing)).toBe('malformed');
  });

  it('idle timeout closes a silent peer with timeout', async () => {
    const { master } = await masterFacingRaw({ idleTimeoutMs: 300 });
    expect(codeOf(await closedWith(master, 5000))).toBe('timeout');
  });

  it('keep-alive pings keep an idle but healthy connection open, and count as traffic', async () => {
    const { master, slave } = await peers({ idleTimeoutMs: 300 }, { idleTimeoutMs: 300 });
    let closed = false;
    master.onClose(() => (closed = true));
    slave.onClose(() => (closed = true));
    await pause(1500); // five idle timeouts without any request or event
    expect(closed).toBe(false);
    slave.serve({ stat: () => Promise.resolve(stat) });
    await expect(within(master.request('stat', { path: '/' }))).resolves.toEqual(stat);
  });

  it('pings are sent when nothing else is (the raw peer sees them)', async () => {
    const { inbox } = await masterFacingRaw({ idleTimeoutMs: 3000, keepAliveMs: 50 });
    await until(() => inbox.length >= 2, 5000, 'two pings');
    expect(inbox.slice(0, 2)).toEqual([{ t: 'ping' }, { t: 'ping' }]);
  });

  it('an event handler that throws does not take the process down; the connection goes on', async () => {
    const reasons: string[] = [];
    const { master, raw } = await masterFacingRaw({ onProtocolError: (r) => reasons.push(r) });
    const got: number[] = [];
    master.listen({
      heartbeat: (d) => {
        if (d.transfers === 1) throw new Error('listener bug');
        got.push(d.transfers);
      },
    });
    raw.send({ t: 'evt', ev: 'heartbeat', d: { load: 0, transfers: 1 } });
    raw.send({ t: 'evt', ev: 'heartbeat', d: { load: 0, transfers: 2 } });
    await until(() => got.length === 1);
    expect(got).toEqual([2]);
    expect(reasons).toEqual(['heartbeat handler failed: listener bug']);
    expect(master.closed).toBe(false);
  });
});
