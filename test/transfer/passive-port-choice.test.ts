import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PassiveListener, systemEphemeralPorts, type PassiveListenerOptions } from '../../src/transfer/passive-listener.js';
import { silentLogger } from '../../src/transfer/logger.js';

const opened: PassiveListener[] = [];
const held: Server[] = [];

afterEach(async () => {
  for (const listener of opened.splice(0)) listener.close();
  await Promise.all(held.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); }))));
});

async function hold(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => { resolve(); });
  });
  held.push(server);
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return address.port;
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => { resolve(); }));
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

async function open(extra: Partial<PassiveListenerOptions>): Promise<PassiveListener> {
  const listener = await PassiveListener.open({
    host: '127.0.0.1',
    reserved: new Set(),
    expectedPeer: '127.0.0.1',
    timeoutMs: 10_000,
    logger: silentLogger,
    sessionId: 't',
    ...extra,
  });
  opened.push(listener);
  return listener;
}

/** The listener accepts a real connection from the expected peer. */
async function accepts(listener: PassiveListener): Promise<void> {
  const client = connect(listener.port, '127.0.0.1');
  client.on('error', () => undefined);
  const socket = await listener.take();
  expect(socket.remoteAddress).toBe('127.0.0.1');
  socket.destroy();
  client.destroy();
}

describe('PassiveListener port choice without a configured range', () => {
  it('binds a port of the ephemeral range itself instead of asking the kernel for port 0', async () => {
    const port = await freePort();
    const listener = await open({ ephemeralPorts: { min: port, max: port } });
    expect(listener.port).toBe(port);
    await accepts(listener);
  });

  it('falls back to port 0 when the ports it tried are taken', async () => {
    const taken = await hold();
    const port = portOf(taken);
    const listener = await open({ ephemeralPorts: { min: port, max: port } });
    expect(listener.port).not.toBe(port);
    expect(listener.port).toBeGreaterThan(0);
    await accepts(listener);
  });

  it('never tries a port this process already holds for another listener', async () => {
    const port = await freePort();
    const listener = await open({ ephemeralPorts: { min: port, max: port }, reserved: new Set([port]) });
    expect(listener.port).not.toBe(port);
    await accepts(listener);
  });

  it('uses port 0 when there is no ephemeral range (other systems)', async () => {
    const listener = await open({ ephemeralPorts: null });
    expect(listener.port).toBeGreaterThan(0);
    await accepts(listener);
  });

  it.runIf(process.platform === 'linux')('reads the system range on Linux', () => {
    const range = systemEphemeralPorts();
    expect(range).not.toBeNull();
    expect(range?.min).toBeLessThanOrEqual(range?.max ?? 0);
    expect(range?.min).toBeGreaterThanOrEqual(1024);
  });
});
