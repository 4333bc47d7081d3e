import { closeSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { socketFd, type ZeroCopyEngine, type ZeroCopyError } from '../../src/transfer/zero-copy/index.js';
import { delay, pattern, readAll, requireEngine, socketPair, sparseFile, tempDir, timed, writeFile, type SocketPair, type TempDir } from './helpers.js';

let engine: ZeroCopyEngine;
let dir: TempDir;
const open: number[] = [];
const pairs: SocketPair[] = [];

beforeAll(() => {
  engine = requireEngine();
});

afterEach(async () => {
  for (const fd of open.splice(0)) closeSync(fd);
  for (const pair of pairs.splice(0)) await pair.close();
  dir.cleanup();
});

function setup(): void {
  dir = tempDir();
}

function openRead(path: string): number {
  const fd = openSync(path, 'r');
  open.push(fd);
  return fd;
}

async function pair(): Promise<SocketPair> {
  const p = await socketPair();
  pairs.push(p);
  return p;
}

/** Sends a slice and returns what the client received. */
async function sendSlice(fileFd: number, offset: number, length: number): Promise<{ sent: number; received: Buffer }> {
  const p = await pair();
  const received = readAll(p.client);
  const sent = await engine.sendFile({ fileFd, socketFd: p.serverFd, offset, length });
  p.server.end();
  return { sent, received: await received };
}

describe('sendFile over loopback TCP', () => {
  it('sends a whole file byte for byte', async () => {
    setup();
    const data = pattern(3 * 1024 * 1024 + 123);
    writeFile(dir.file('a'), data);
    const { sent, received } = await sendSlice(openRead(dir.file('a')), 0, data.length);
    expect(sent).toBe(data.length);
    expect(received.equals(data)).toBe(true);
  });

  it('honours any offset and length, stopping at end of file', async () => {
    setup();
    const data = pattern(200_003, 7);
    writeFile(dir.file('b'), data);
    const fd = openRead(dir.file('b'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), fc.integer({ min: 0, max: data.length + 5000 }), async (offset, length) => {
        const { sent, received } = await sendSlice(fd, offset, length);
        const expected = data.subarray(offset, Math.min(data.length, offset + length));
        expect(sent).toBe(expected.length);
        expect(received.equals(expected)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('sends until end of file with length Infinity, and nothing from an offset at the end', async () => {
    setup();
    const data = pattern(70_000, 3);
    writeFile(dir.file('c'), data);
    const fd = openRead(dir.file('c'));
    const all = await sendSlice(fd, 1000, Infinity);
    expect(all.sent).toBe(data.length - 1000);
    expect(all.received.equals(data.subarray(1000))).toBe(true);
    const none = await sendSlice(fd, data.length, 10);
    expect(none.sent).toBe(0);
    expect(none.received.length).toBe(0);
  });

  it('rejects with ECONNRESET or EPIPE when the peer resets mid-transfer', async () => {
    setup();
    sparseFile(dir.file('big'), 512 * 1024 * 1024);
    const fd = openRead(dir.file('big'));
    const p = await pair();
    p.client.pause();
    const transfer = engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: 512 * 1024 * 1024 });
    await delay(50);
    p.client.resetAndDestroy();
    const outcome = await timed(transfer);
    const error = outcome.error as ZeroCopyError;
    expect(error).toBeInstanceOf(Error);
    expect(['ECONNRESET', 'EPIPE']).toContain(error.code);
    expect(error.syscall).toBe('sendfile');
    expect(error.bytesTransferred).toBeGreaterThan(0);
  });

  it('aborts promptly on the signal while the peer does not read', async () => {
    setup();
    sparseFile(dir.file('big'), 512 * 1024 * 1024);
    const fd = openRead(dir.file('big'));
    const p = await pair();
    p.client.pause();
    const controller = new AbortController();
    const transfer = engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: Infinity, signal: controller.signal });
    await delay(100);
    controller.abort(new Error('ABOR'));
    const outcome = await timed(transfer);
    const error = outcome.error as ZeroCopyError;
    expect(error.code).toBe('ABORT_ERR');
    expect(error.name).toBe('AbortError');
    expect((error.cause as Error).message).toBe('ABOR');
    // The native loop re-checks its flag every 50 ms; two seconds leave room for a loaded machine.
    expect(outcome.ms).toBeLessThan(2000);
  });

  it('rejects at once when the signal is already aborted, and on bad arguments', async () => {
    setup();
    writeFile(dir.file('d'), pattern(10));
    const fd = openRead(dir.file('d'));
    const p = await pair();
    await expect(engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: 10, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await expect(engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: -1, length: 10 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(engine.sendFile({ fileFd: 1.5, socketFd: p.serverFd, offset: 0, length: 10 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: Number.NaN })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('reports a kernel error code for a descriptor that is not a file', async () => {
    setup();
    const p = await pair();
    const closedFd = openSync(dir.file('x'), 'w');
    closeSync(closedFd);
    await expect(engine.sendFile({ fileFd: closedFd, socketFd: p.serverFd, offset: 0, length: 10 })).rejects.toMatchObject({ code: 'EBADF', syscall: 'sendfile' });
  });

  it('reports progress after a stall, in increasing counts', async () => {
    setup();
    sparseFile(dir.file('big'), 64 * 1024 * 1024);
    const fd = openRead(dir.file('big'));
    const p = await pair();
    p.client.pause();
    const seen: number[] = [];
    const received = readAll(p.client);
    const transfer = engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: 64 * 1024 * 1024, onProgress: (n) => seen.push(n) });
    // Stalled longer than the 100 ms progress interval: the next successful write reports.
    await delay(250);
    p.client.resume();
    const sent = await transfer;
    p.server.end();
    expect((await received).length).toBe(sent);
    expect(sent).toBe(64 * 1024 * 1024);
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    expect(seen.at(-1)).toBeLessThanOrEqual(sent);
  });

  it('stops and rejects with what a progress callback throws', async () => {
    setup();
    sparseFile(dir.file('big'), 64 * 1024 * 1024);
    const fd = openRead(dir.file('big'));
    const p = await pair();
    p.client.pause();
    const boom = new Error('progress failed');
    const transfer = engine.sendFile({ fileFd: fd, socketFd: p.serverFd, offset: 0, length: 64 * 1024 * 1024, onProgress: () => { throw boom; } });
    // The rejection can come while we wait: the expectation is its handler from the start.
    const rejected = expect(transfer).rejects.toBe(boom);
    await delay(250);
    p.client.resume();
    await rejected;
  });

  it('keeps the event loop responsive during a large transfer to another process', async () => {
    setup();
    const size = 512 * 1024 * 1024;
    sparseFile(dir.file('huge'), size);
    const fd = openRead(dir.file('huge'));
    const p = await pair();
    // The reader lives in a child process so that only the transfer competes with our timer.
    const reader = spawn(process.execPath, ['-e', `
      const s = require('node:net').connect(${p.port}, '127.0.0.1');
      let n = 0; s.on('data', (c) => { n += c.length; }); s.on('end', () => { process.stdout.write(String(n)); });
      setTimeout(() => process.exit(2), 15000).unref();
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => out.push(c));
    // The child is a second client of the same listener: wait for it and use its socket.
    const [childSocket] = (await once(p.listener, 'connection')) as [Socket];
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 1);
    const start = performance.now();
    const sent = await engine.sendFile({ fileFd: fd, socketFd: socketFd(childSocket)!, offset: 0, length: size });
    const elapsed = performance.now() - start;
    clearInterval(timer);
    childSocket.end();
    await once(reader, 'exit');
    childSocket.destroy();
    expect(sent).toBe(size);
    expect(Number(Buffer.concat(out).toString())).toBe(size);
    // A transfer on the main thread would leave the timer at ~0 ticks; libuv timers fire at
    // most once per loop iteration, so any sizeable fraction of the ideal count proves the loop ran.
    console.info(`event loop: ${ticks} ticks of 1 ms during a ${elapsed.toFixed(0)} ms, ${size / 2 ** 20} MiB transfer`);
    expect(ticks).toBeGreaterThanOrEqual(Math.max(3, Math.floor(elapsed / 50)));
  });
});
