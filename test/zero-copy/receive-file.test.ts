import { closeSync, openSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ZeroCopyEngine, ZeroCopyError } from '../../src/transfer/zero-copy/index.js';
import { delay, pattern, waitForSize, requireEngine, socketPair, tempDir, timed, writeFile, type SocketPair, type TempDir } from './helpers.js';

let engine: ZeroCopyEngine;
let dir: TempDir | undefined;
const open: number[] = [];
const pairs: SocketPair[] = [];

beforeAll(() => {
  engine = requireEngine();
});

afterEach(async () => {
  for (const fd of open.splice(0)) closeSync(fd);
  for (const pair of pairs.splice(0)) await pair.close();
  dir?.cleanup();
  dir = undefined;
});

function temp(): TempDir {
  dir = tempDir();
  return dir;
}

function openFile(path: string, flags: string): number {
  const fd = openSync(path, flags);
  open.push(fd);
  return fd;
}

async function pair(): Promise<SocketPair> {
  const p = await socketPair();
  pairs.push(p);
  return p;
}

/** The client sends `data` and ends; the engine receives it into `fileFd` at `offset`. */
async function upload(fileFd: number, offset: number, data: Buffer, maxBytes?: number): Promise<number> {
  const p = await pair();
  const received = engine.receiveFile({ socketFd: p.serverFd, fileFd, offset, maxBytes });
  p.client.end(data);
  return received;
}

describe('receiveFile over loopback TCP', () => {
  it('writes everything the peer sends until it ends the stream', async () => {
    const d = temp();
    const data = pattern(5 * 1024 * 1024 + 7, 11);
    const fd = openFile(d.file('up'), 'w');
    expect(await upload(fd, 0, data)).toBe(data.length);
    expect(readFileSync(d.file('up')).equals(data)).toBe(true);
  });

  it('writes at any offset into an existing file, keeping what is outside the range', async () => {
    const d = temp();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 80_000 }), fc.integer({ min: 0, max: 90_000 }), async (existing, rawOffset, length) => {
        const offset = Math.min(rawOffset, existing);
        const before = pattern(existing, 5);
        const data = pattern(length, 9 + length);
        writeFile(d.file('f'), before);
        const fd = openSync(d.file('f'), 'r+');
        try {
          expect(await upload(fd, offset, data)).toBe(length);
        } finally {
          closeSync(fd);
        }
        const expected = Buffer.concat([before.subarray(0, offset), data, before.subarray(Math.min(before.length, offset + length))]);
        expect(readFileSync(d.file('f')).equals(expected)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('appends to an O_APPEND descriptor with offset -1', async () => {
    const d = temp();
    const head = pattern(1000, 2);
    const tail = pattern(300_000, 4);
    writeFile(d.file('log'), head);
    const fd = openFile(d.file('log'), 'a');
    expect(await upload(fd, -1, tail)).toBe(tail.length);
    expect(readFileSync(d.file('log')).equals(Buffer.concat([head, tail]))).toBe(true);
  });

  it('stops after maxBytes', async () => {
    const d = temp();
    const data = pattern(100_000, 8);
    const fd = openFile(d.file('m'), 'w');
    expect(await upload(fd, 0, data, 30_001)).toBe(30_001);
    expect(readFileSync(d.file('m')).equals(data.subarray(0, 30_001))).toBe(true);
  });

  it('rejects with ECONNRESET when the peer resets, after keeping what arrived', async () => {
    const d = temp();
    const fd = openFile(d.file('r'), 'w');
    const p = await pair();
    const received = engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: 0 });
    p.client.write(pattern(4096));
    await waitForSize(d.file('r'), 4096);
    p.client.resetAndDestroy();
    const outcome = await timed(received);
    const error = outcome.error as ZeroCopyError;
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('ECONNRESET');
    expect(error.syscall).toBe('splice');
    expect(error.bytesTransferred).toBe(4096);
  });

  it('aborts promptly on the signal while the peer sends nothing', async () => {
    const d = temp();
    const fd = openFile(d.file('i'), 'w');
    const p = await pair();
    const controller = new AbortController();
    const received = engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: 0, signal: controller.signal });
    p.client.write(pattern(1000));
    await waitForSize(d.file('i'), 1000);
    await delay(20);
    controller.abort();
    const outcome = await timed(received);
    const error = outcome.error as ZeroCopyError;
    expect(error.code).toBe('ABORT_ERR');
    expect(error.bytesTransferred).toBe(1000);
    // The native loop re-checks its flag every 50 ms; two seconds leave room for a loaded machine.
    expect(outcome.ms).toBeLessThan(2000);
  });

  it('reports the kernel code of a file-side failure (EBADF on a read-only fd)', async () => {
    const d = temp();
    writeFile(d.file('ro'), pattern(10));
    const fd = openFile(d.file('ro'), 'r');
    await expect(upload(fd, 0, pattern(1000))).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('rejects bad arguments and pre-aborted signals without touching the socket', async () => {
    const d = temp();
    const fd = openFile(d.file('b'), 'w');
    const p = await pair();
    await expect(engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: -2 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: 0, maxBytes: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: 0, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await engine.receiveFile({ socketFd: p.serverFd, fileFd: fd, offset: 0, maxBytes: 0 })).toBe(0);
  });
});
