import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, type Endpoint, type SessionDataChannel } from '../../src/transfer/index.js';
import { MemoryFileSystem } from '../../src/vfs/index.js';
import { closed, dial, readAll } from './helpers/data-client.js';
import { loopbackSession } from './helpers/session.js';

const planes: LocalDataPlane[] = [];

afterEach(async () => {
  await Promise.all(planes.splice(0).map((plane) => plane.close()));
});

async function setUp(options: ConstructorParameters<typeof LocalDataPlane>[0] = {}): Promise<{ plane: LocalDataPlane; channel: SessionDataChannel; fs: MemoryFileSystem }> {
  const plane = new LocalDataPlane({ zeroCopy: 'off', ...options });
  planes.push(plane);
  const fs = new MemoryFileSystem();
  const handle = await fs.openWrite('/small.bin');
  await new Promise<void>((resolve, reject) => {
    handle.stream().end(Buffer.from('hello'), (error?: Error | null) => {
      if (error) reject(error);
      else resolve();
    });
  });
  await handle.commit();
  return { plane, channel: plane.attach(loopbackSession()), fs };
}

/** One passive download of /small.bin; resolves with the endpoint it used. */
async function download(channel: SessionDataChannel, fs: MemoryFileSystem): Promise<Endpoint> {
  const endpoint = await channel.passive({ extended: true });
  const socket = await dial(endpoint);
  const received = readAll(socket);
  const result = await channel.retrieve(fs, '/small.bin', {});
  expect(result.bytes).toBe(5);
  expect((await received).toString()).toBe('hello');
  socket.destroy();
  return endpoint;
}

/** A port of 1024 or above that was free a moment ago. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    if (typeof address === 'object' && address !== null && address.port >= 1024) return address.port;
  }
}

/** Connects and resolves with how the connection ended: `closed` by the server, or `refused`. */
function probe(port: number, localAddress?: string): Promise<'closed' | 'refused'> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, ...(localAddress === undefined ? {} : { localAddress }) });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'closed');
    });
    socket.once('connect', () => {
      socket.resume();
      void closed(socket).then(() => {
        resolve('closed');
      });
    });
  });
}

describe('the passive listener parked between two transfers of a session', () => {
  it('serves the next PASV on the same bound port, without binding a new one', async () => {
    const { channel, fs } = await setUp();
    const first = await download(channel, fs);
    const second = await download(channel, fs);
    const third = await download(channel, fs);
    expect(second.port).toBe(first.port);
    expect(third.port).toBe(first.port);
  });

  it('never reuses a port when data connections from other addresses are allowed (the next port must not be predictable)', async () => {
    const { channel, fs } = await setUp({ allowForeignDataConnections: true });
    const ports = [];
    for (let i = 0; i < 3; i++) ports.push((await download(channel, fs)).port);
    expect(new Set(ports).size).toBeGreaterThan(1);
  });

  it('refuses connections while parked: a stray connection never becomes the next transfer', async () => {
    const { channel, fs } = await setUp();
    const first = await download(channel, fs);
    // Before the next PASV: accepted by the kernel, closed by the server at once.
    expect(await probe(first.port)).toBe('closed');
    const second = await download(channel, fs);
    expect(second.port).toBe(first.port);
  });

  it('still refuses data connections from another address than the control connection', async () => {
    const { channel, fs } = await setUp();
    const first = await download(channel, fs);
    const endpoint = await channel.passive({ extended: true });
    expect(endpoint.port).toBe(first.port);
    // 127.0.0.2 is another address on Linux's loopback; the session's client is 127.0.0.1.
    expect(await probe(endpoint.port, '127.0.0.2')).toBe('closed');
    const socket = await dial(endpoint);
    const received = readAll(socket);
    expect((await channel.retrieve(fs, '/small.bin', {})).bytes).toBe(5);
    expect((await received).toString()).toBe('hello');
    socket.destroy();
  });

  it('closes the parked port with the session', async () => {
    const { channel, fs } = await setUp();
    const first = await download(channel, fs);
    await channel.close();
    expect(await probe(first.port)).toBe('refused');
  });

  it('holds one of maxPassiveListeners, and gives it up when another PASV needs it', async () => {
    const { plane, channel, fs } = await setUp({ maxPassiveListeners: 2 });
    const first = await download(channel, fs);
    // Reusing the parked listener needs no extra slot.
    expect((await download(channel, fs)).port).toBe(first.port);
    const other = plane.attach(loopbackSession());
    expect((await other.passive({ extended: true })).port).not.toBe(first.port);
    // Both slots are taken (the parked listener and the other session's): the parked one goes.
    const third = plane.attach(loopbackSession());
    await third.passive({ extended: true });
    expect(await probe(first.port)).toBe('refused');
    await expect(channel.passive({ extended: true })).rejects.toMatchObject({ reason: 'listener-limit' });
  });

  it('gives up its port when another session needs it from a full passive range', async () => {
    const free = await freePort();
    const { plane, channel, fs } = await setUp({ passivePorts: { min: free, max: free } });
    const first = await download(channel, fs);
    expect(first.port).toBe(free);
    const other = plane.attach(loopbackSession());
    expect((await other.passive({ extended: true })).port).toBe(free);
    await expect(channel.passive({ extended: true })).rejects.toMatchObject({ reason: 'no-passive-port' });
  });
});
