import { closeSync, openSync, readdirSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createZeroCopyEngine } from '../../src/transfer/zero-copy/create-zero-copy-engine.js';
import { NATIVE_ABI_VERSION, type NativeBinding } from '../../src/transfer/zero-copy/native-binding.js';
import { ZeroCopyError, type ZeroCopyEngine } from '../../src/transfer/zero-copy/index.js';
import { requireEngine, socketPair, sparseFile, tempDir, type SocketPair, type TempDir } from './helpers.js';
import { waitFor } from '../support/wait-for.js';

const POOL = 16;

let engine: ZeroCopyEngine;
let dir: TempDir | undefined;
const pairs: SocketPair[] = [];
const fds: number[] = [];

beforeAll(() => {
  engine = requireEngine();
});

afterEach(async () => {
  for (const pair of pairs.splice(0)) await pair.close();
  for (const fd of fds.splice(0)) closeSync(fd);
  dir?.cleanup();
  dir = undefined;
});

function threads(): number {
  return readdirSync('/proc/self/task').length;
}

describe('the native worker pool', () => {
  it('runs more blocked transfers than it has workers on at most 16 threads, queues the rest, and completes them all', async () => {
    dir = tempDir();
    const size = 32 * 1024 * 1024;
    sparseFile(dir.file('big'), size);
    const fileFd = openSync(dir.file('big'), 'r');
    fds.push(fileFd);
    const count = POOL + 8;
    for (let i = 0; i < count; i++) pairs.push(await socketPair());
    // The clients read nothing yet: every sendfile blocks once the socket buffers are full.
    for (const p of pairs) p.client.pause();
    const before = threads();
    const sends = pairs.map((p) => engine.sendFile({ fileFd, socketFd: p.serverFd, offset: 0, length: size }));
    for (const s of sends) s.catch(() => undefined);
    expect(await waitFor(() => engine.busy(), 10_000)).toBe(true);
    // A thread per call would have started `count` threads by now.
    expect(threads() - before).toBeLessThanOrEqual(POOL);
    // Now let every client drain its connection: the queued calls run as workers free up.
    const received = pairs.map(
      (p) =>
        new Promise<number>((resolve, reject) => {
          let bytes = 0;
          p.client.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes === size) resolve(bytes);
          });
          p.client.once('error', reject);
          p.client.resume();
        }),
    );
    expect(await Promise.all(sends)).toEqual(Array.from({ length: count }, () => size));
    expect(await Promise.all(received)).toEqual(Array.from({ length: count }, () => size));
    expect(await waitFor(() => !engine.busy(), 5000)).toBe(true);
    expect(threads() - before).toBeLessThanOrEqual(POOL);
  }, 60_000);
});

describe('a binding that cannot start a transfer', () => {
  it('rejects with a typed ZeroCopyError ERR_ZERO_COPY_START instead of throwing or aborting', async () => {
    const failing: NativeBinding = {
      abiVersion: NATIVE_ABI_VERSION,
      poolSize: POOL,
      busy: () => false,
      sendFile: () => {
        throw Object.assign(new Error('ftpgrid_zero_copy: cannot start a worker thread'), { code: 'ERR_ZERO_COPY_START' });
      },
      receiveFile: () => {
        throw new Error('ftpgrid_zero_copy: cannot create the completion callback: out of memory');
      },
      cancel: () => undefined,
    };
    const broken = createZeroCopyEngine(failing);
    const send = broken.sendFile({ fileFd: 1, socketFd: 2, offset: 0, length: 10 });
    await expect(send).rejects.toBeInstanceOf(ZeroCopyError);
    await expect(send).rejects.toMatchObject({ code: 'ERR_ZERO_COPY_START', message: 'ftpgrid_zero_copy: cannot start a worker thread' });
    await expect(broken.receiveFile({ fileFd: 1, socketFd: 2, offset: 0 })).rejects.toMatchObject({ code: 'ERR_ZERO_COPY_START' });
  });
});
