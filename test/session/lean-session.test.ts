import { createServer as createNetServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { FtpSession, createDefaultRegistry, type SessionEventName } from '../../src/session/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { LocalDataPlane, type DataPlane, type DataSessionInfo, type SessionDataChannel } from '../../src/transfer/index.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { waitFor } from '../support/wait-for.js';

/** A data plane that counts the channels sessions attach. */
class CountingPlane implements DataPlane {
  readonly inner = new LocalDataPlane();
  attached = 0;
  attach(session: DataSessionInfo): SessionDataChannel {
    this.attached++;
    return this.inner.attach(session);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const authorizer = new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs: new MemoryFileSystem() }] });

let t: TestServer | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  // Last in, first out: clients close before their servers.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('session: what a command and an idle session cost', () => {
  it('keeps one deadline per session on a timer all sessions share; a command records the time instead of re-arming it (manual clock)', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ loginTimeoutMs: 500, idleTimeoutMs: 1000, clock });
    const c = await t.loggedIn();
    expect(clock.pendingTimers).toBe(1);
    // Armed after the greeting for the login deadline; logging in did not touch it.
    expect(clock.nextTimerIn()).toBe(500);
    clock.advance(300);
    expect(await c.code('NOOP')).toBe(200);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerIn()).toBe(200);
    // It fires at the old login deadline, finds the user logged in and waits for the idle
    // deadline counted from the last command (300 + 1000).
    clock.advance(200);
    expect(clock.nextTimerIn()).toBe(800);
    clock.advance(799);
    expect(await c.code('NOOP')).toBe(200);
    clock.advance(1);
    expect(clock.nextTimerIn()).toBe(999);
    expect(c.pendingReplies).toBe(0);
    clock.advance(999);
    const idle = await c.reply(2000);
    expect(idle.code).toBe(421);
    expect(idle.lines[0]).toMatch(/idle/i);
  });

  it('serves the deadlines of many sessions with one timer, each at its own time (manual clock)', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ loginTimeoutMs: 500, idleTimeoutMs: 1000, clock });
    const first = await t.loggedIn();
    clock.advance(100);
    const second = await t.loggedIn();
    expect(t.server.sessionCount).toBe(2);
    expect(clock.pendingTimers).toBe(1);
    // The first session's login deadline (500) comes first; then the idle deadlines, 1000 after
    // each session's last command (its PASS at 0 and at 100; TYPE is not sent by loggedIn()).
    clock.advance(400);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(500);
    expect((await first.reply(2000)).code).toBe(421);
    expect(second.pendingReplies).toBe(0);
    expect(await waitFor(() => t?.server.sessionCount === 1)).toBe(true);
    clock.advance(100);
    expect((await second.reply(2000)).code).toBe(421);
    expect(await waitFor(() => t?.server.sessionCount === 0)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('attaches the data channel on first use: an idle logged-in session has none', async () => {
    const plane = new CountingPlane();
    const server = createServer({ authorizer, dataPlane: plane, connectionRate: false });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => plane.close(), () => server.close({ graceMs: 0 }));
    const { client } = await RawClient.connect(port);
    cleanups.push(() => { client.close(); });
    expect(await client.code('USER alice')).toBe(331);
    expect(await client.code('PASS secret')).toBe(230);
    expect(await client.code('TYPE I')).toBe(200);
    expect(await client.code('NOOP')).toBe(200);
    expect(plane.attached).toBe(0);
    expect(await client.code('PASV')).toBe(227);
    expect(await client.code('PASV')).toBe(227);
    expect(plane.attached).toBe(1);
  });

  it('builds only the events its server observes, and the server observes listeners added later', async () => {
    const plane = new LocalDataPlane();
    const received: SessionEventName[] = [];
    const observed = new Set<SessionEventName>(['connect', 'login']);
    const sessions: FtpSession[] = [];
    const net: Server = createNetServer((socket) => {
      const session = new FtpSession(socket, { authorizer, registry: createDefaultRegistry(), failedLoginDelayMs: 0 }, {
        id: 's1',
        dataPlane: plane,
        emit: (event) => received.push(event),
        observes: (event) => observed.has(event),
      });
      sessions.push(session);
      void session.run();
    });
    await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => plane.close(), () => new Promise<void>((resolve) => net.close(() => { resolve(); })));
    const address = net.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const { client } = await RawClient.connect(address.port);
    cleanups.push(() => { client.close(); });
    expect(await client.login()).toBe(230);
    expect(await client.code('NOOP')).toBe(200);
    expect(received).toEqual(['connect', 'login']);
    observed.add('command');
    expect(await client.code('NOOP')).toBe(200);
    expect(received).toEqual(['connect', 'login', 'command']);

    // The standalone server: a 'command' listener added while a session runs gets its next command.
    t = await startTestServer();
    const c = await t.loggedIn();
    const verbs: string[] = [];
    const onCommand = (event: { readonly verb: string }): void => {
      verbs.push(event.verb);
    };
    t.server.on('command', onCommand);
    expect(await c.code('NOOP')).toBe(200);
    t.server.off('command', onCommand);
    expect(await c.code('SYST')).toBe(215);
    expect(verbs).toEqual(['NOOP']);
  });

  it('makes the close signal on first use, aborted when asked for after the session ended', async () => {
    const plane = new LocalDataPlane();
    let session: FtpSession | undefined;
    let ended: Promise<void> | undefined;
    const net: Server = createNetServer((socket) => {
      session = new FtpSession(socket, { authorizer, registry: createDefaultRegistry() }, { id: 's1', dataPlane: plane });
      ended = session.run();
    });
    await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => plane.close(), () => new Promise<void>((resolve) => net.close(() => { resolve(); })));
    const address = net.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const { client } = await RawClient.connect(address.port);
    expect(await client.code('QUIT')).toBe(221);
    expect(await waitFor(() => ended !== undefined)).toBe(true);
    await ended;
    client.close();
    expect(session?.signal.aborted).toBe(true);
  });
});
