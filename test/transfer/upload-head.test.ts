import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, isTransferAbortedError, type LocalDataPlaneOptions, type SessionDataChannel } from '../../src/transfer/index.js';
import { HEAD_ARENA_BYTES, HEAD_LIMIT_BYTES } from '../../src/transfer/receive-head.js';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { closed, dial, writeAll } from './helpers/data-client.js';
import { transferModes } from './helpers/modes.js';
import { loopbackSession } from './helpers/session.js';

/**
 * With the zero-copy engine, an upload to a descriptor that takes direct writes (LocalFileSystem
 * on Linux) reads its first {@link HEAD_LIMIT_BYTES} on the event-loop thread: a small upload
 * ends there ('stream'), a larger one is spliced on from where the head stopped ('zero-copy').
 */
const linux = process.platform === 'linux' && existsSync('/proc/self/fd');
const zeroCopy = transferModes.find((m) => m.name === 'zero-copy');

describe.skipIf(zeroCopy?.available !== true || !linux)('the head of a zero-copy upload', () => {
  let root: string;
  let fs: LocalFileSystem;
  let plane: LocalDataPlane;
  let channel: SessionDataChannel;

  function start(options: LocalDataPlaneOptions = {}, fsOptions: { keepPartialUploads?: boolean } = {}): void {
    fs = new LocalFileSystem({ root, ...fsOptions });
    plane = new LocalDataPlane({ ...zeroCopy?.plane, passiveTimeoutMs: 5000, connectTimeoutMs: 5000, ...options });
    channel = plane.attach(loopbackSession({ user: 'alice' }));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ftpgrid-head-'));
  });

  afterEach(async () => {
    await plane.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function upload(path: string, data: Buffer): Promise<{ bytes: number; method: string; progress: number[] }> {
    const client = await dial(await channel.passive({ extended: true }));
    const sent = writeAll(client, data);
    const progress: number[] = [];
    const result = await channel.store(fs, path, { onProgress: (bytes) => progress.push(bytes) });
    await sent;
    return { bytes: result.bytes, method: result.method, progress };
  }

  it('stores uploads below, at and across the head limit byte for byte, and says which path finished them', async () => {
    start();
    const sizes = [0, 1, 4096, HEAD_LIMIT_BYTES - 1, HEAD_LIMIT_BYTES, HEAD_LIMIT_BYTES + 1, HEAD_LIMIT_BYTES + 65_537, 3 * 1024 * 1024 + 3];
    for (const size of sizes) {
      const data = randomBytes(size);
      const result = await upload(`/f${String(size)}.bin`, data);
      expect(result.bytes, String(size)).toBe(size);
      expect(readFileSync(join(root, `f${String(size)}.bin`)).equals(data), String(size)).toBe(true);
      if (size < HEAD_LIMIT_BYTES) expect(result.method, String(size)).toBe('stream');
      if (size > HEAD_LIMIT_BYTES) expect(result.method, String(size)).toBe('zero-copy');
      // Progress never goes back when the engine takes over from the head.
      expect([...result.progress].sort((a, b) => a - b)).toEqual(result.progress);
    }
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
    // The head's arena went back to the budget.
    expect(plane.transferMemory.leased).toBe(0);
  });

  it('splices from the first byte when the budget has no room for the head, or a throttle is set', async () => {
    start({ transferMemoryBytes: HEAD_ARENA_BYTES - 1 });
    const data = randomBytes(4096);
    const tight = await upload('/tight.bin', data);
    expect(tight.method).toBe('zero-copy');
    expect(readFileSync(join(root, 'tight.bin')).equals(data)).toBe(true);
    await plane.close();
    start({ throttle: { perSessionBytesPerSecond: 100 * 1024 * 1024 } });
    const throttled = await upload('/throttled.bin', data);
    expect(throttled.method).toBe('zero-copy');
    expect(readFileSync(join(root, 'throttled.bin')).equals(data)).toBe(true);
  });

  it('keeps exactly the bytes received when a kept partial upload is aborted in its head', async () => {
    start({}, { keepPartialUploads: true });
    const client = await dial(await channel.passive({ extended: true }));
    client.on('error', () => undefined);
    const part = randomBytes(3000);
    client.write(part);
    const outcome = channel.store(fs, '/partial.bin').then(
      () => null,
      (e: unknown) => e,
    );
    for (let i = 0; i < 100 && !existsSync(join(root, 'partial.bin')); i++) {
      await delay(20);
      const staging = readdirSync(root).find((n) => n.startsWith('.'));
      if (staging !== undefined && readFileSync(join(root, staging)).length === part.length) break;
    }
    await channel.abort();
    expect(isTransferAbortedError(await outcome, 'aborted')).toBe(true);
    await closed(client);
    expect(readFileSync(join(root, 'partial.bin')).equals(part)).toBe(true);
  });

  it('gives up on a client that stalls in the head after the data timeout, and publishes nothing', async () => {
    start({ dataTimeoutMs: 200 });
    const client = await dial(await channel.passive({ extended: true }));
    client.on('error', () => undefined);
    client.write(Buffer.alloc(1000, 1));
    const error = await channel.store(fs, '/stalled.bin').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransferAbortedError(error, 'stalled'), String(error)).toBe(true);
    client.destroy();
    expect(readdirSync(root)).toEqual([]);
  });
});
