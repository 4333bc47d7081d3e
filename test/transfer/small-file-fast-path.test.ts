import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, isTransferAbortedError, type SessionDataChannel } from '../../src/transfer/index.js';
import { LocalFileSystem } from '../../src/vfs/index.js';
import { closed, dial, readAll, writeAll } from './helpers/data-client.js';
import { transferModes } from './helpers/modes.js';
import { loopbackSession } from './helpers/session.js';

/**
 * The small-file fast path of LocalFileSystem (syncMetadata, Linux): a new upload is opened,
 * published and discarded with direct calls, and the engines read or write up to 64 KiB with
 * one direct call (`syncSmallIo`). Everything a transfer must do still holds on it.
 */
const linux = process.platform === 'linux' && existsSync('/proc/self/fd');

for (const mode of transferModes.filter((m) => m.withFd)) {
  describe.skipIf(!mode.available || !linux)(`small files through LocalFileSystem on the ${mode.name} path`, () => {
    let root: string;
    let fs: LocalFileSystem;
    let plane: LocalDataPlane;
    let channel: SessionDataChannel;

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'ftpgrid-small-'));
      fs = new LocalFileSystem({ root });
      plane = new LocalDataPlane({ ...mode.plane, passiveTimeoutMs: 5000, connectTimeoutMs: 5000 });
      channel = plane.attach(loopbackSession({ user: 'alice' }));
    });

    afterEach(async () => {
      await plane.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** Names in the root, staging files included (they must never be left behind). */
    function hostNames(): string[] {
      return readdirSync(root).sort();
    }

    async function upload(path: string, data: Buffer, options: { offset?: number; append?: boolean } = {}): Promise<number> {
      const client = await dial(await channel.passive({ extended: true }));
      const sent = writeAll(client, data);
      const result = await channel.store(fs, path, options);
      await sent;
      return result.bytes;
    }

    async function download(path: string, offset = 0): Promise<Buffer> {
      const client = await dial(await channel.passive({ extended: true }));
      const received = readAll(client);
      const result = await channel.retrieve(fs, path, { offset });
      const bytes = await received;
      expect(result.bytes).toBe(bytes.length);
      return bytes;
    }

    it('opens a new upload on the direct path and publishes exactly the bytes sent', async () => {
      const handle = await fs.openWrite('/probe.bin');
      expect(handle.syncSmallIo).toBe(true);
      expect(handle.offset).toBe(0);
      await handle.abort();
      expect(hostNames()).toEqual([]);
      for (const size of [0, 1, 4096, 64 * 1024, 64 * 1024 + 1, 300_000]) {
        const data = randomBytes(size);
        expect(await upload(`/u${String(size)}.bin`, data)).toBe(size);
        expect(readFileSync(join(root, `u${String(size)}.bin`)).equals(data)).toBe(true);
      }
      expect(hostNames()).toEqual(['u0.bin', 'u1.bin', 'u300000.bin', 'u4096.bin', 'u65536.bin', 'u65537.bin']);
    });

    it('replaces an existing file and leaves no staging file', async () => {
      writeFileSync(join(root, 'f.bin'), 'old content that is longer than the new one');
      const data = randomBytes(4096);
      await upload('/f.bin', data);
      expect(readFileSync(join(root, 'f.bin')).equals(data)).toBe(true);
      expect(hostNames()).toEqual(['f.bin']);
    });

    it('downloads small files exactly, from any REST offset, around the 64 KiB threshold', async () => {
      for (const size of [1, 4096, 64 * 1024, 64 * 1024 + 1]) {
        const data = randomBytes(size);
        writeFileSync(join(root, 'd.bin'), data);
        expect((await download('/d.bin')).equals(data)).toBe(true);
        expect((await download('/d.bin', size - 1)).equals(data.subarray(size - 1))).toBe(true);
        expect((await download('/d.bin', size)).length).toBe(0);
      }
      const data = randomBytes(4096);
      writeFileSync(join(root, 'd.bin'), data);
      expect((await download('/d.bin', 1000)).equals(data.subarray(1000))).toBe(true);
    });

    it('resumes (REST + STOR) and appends (APPE) small files exactly', async () => {
      const first = randomBytes(4096);
      writeFileSync(join(root, 'r.bin'), first);
      const tail = randomBytes(1000);
      await upload('/r.bin', tail, { offset: 3000 });
      expect(readFileSync(join(root, 'r.bin')).equals(Buffer.concat([first.subarray(0, 3000), tail]))).toBe(true);
      const more = randomBytes(777);
      await upload('/r.bin', more, { append: true });
      expect(readFileSync(join(root, 'r.bin')).equals(Buffer.concat([first.subarray(0, 3000), tail, more]))).toBe(true);
      expect(hostNames()).toEqual(['r.bin']);
    });

    it('publishes nothing when the client resets a small upload, and keeps the old content', async () => {
      writeFileSync(join(root, 'keep.bin'), 'old');
      for (let round = 0; round < 5; round++) {
        const client = await dial(await channel.passive({ extended: true }));
        await sendThenReset(client, 3000);
        await delay(20);
        const error = await channel.store(fs, round === 0 ? '/keep.bin' : `/x${String(round)}.bin`).then(
          () => null,
          (e: unknown) => e,
        );
        expect(isTransferAbortedError(error, 'connection-lost'), String(error)).toBe(true);
      }
      expect(readFileSync(join(root, 'keep.bin'), 'utf8')).toBe('old');
      expect(hostNames()).toEqual(['keep.bin']);
    });

    it('publishes nothing on ABOR in the middle of a small upload', async () => {
      const client = await dial(await channel.passive({ extended: true }));
      client.on('error', () => undefined);
      client.write(Buffer.alloc(2000, 7));
      const outcome = channel.store(fs, '/aborted.bin').then(
        () => null,
        (e: unknown) => e,
      );
      await delay(50);
      await channel.abort();
      expect(isTransferAbortedError(await outcome, 'aborted')).toBe(true);
      await closed(client);
      expect(hostNames()).toEqual([]);
    });

    it('STOU semantics: an exclusive upload fails when the name appeared meanwhile, and removes its staging file', async () => {
      const handle = await fs.openWrite('/u.bin', { exclusive: true });
      expect(handle.syncSmallIo).toBe(true);
      writeFileSync(join(root, 'u.bin'), 'first');
      const stream = handle.stream();
      await new Promise<void>((resolve, reject) => {
        stream.end(Buffer.from('second'), () => {
          resolve();
        });
        stream.once('error', reject);
      });
      await expect(handle.commit()).rejects.toMatchObject({ code: 'exists' });
      expect(readFileSync(join(root, 'u.bin'), 'utf8')).toBe('first');
      expect(hostNames()).toEqual(['u.bin']);
    });

    it('keeps a partial upload on abort when keepPartialUploads is set, and only then', async () => {
      const keeping = new LocalFileSystem({ root, keepPartialUploads: true });
      const handle = await keeping.openWrite('/part.bin');
      const stream = handle.stream();
      await new Promise<void>((resolve) => stream.write(Buffer.from('12345'), () => {
        resolve();
      }));
      await handle.abort();
      expect(readFileSync(join(root, 'part.bin'), 'utf8')).toBe('12345');
      const empty = await keeping.openWrite('/empty.bin');
      await empty.abort();
      expect(hostNames()).toEqual(['part.bin']);
    });
  });
}

/** Sends `bytes`, then resets the connection, and resolves once the socket is closed. */
function sendThenReset(client: Socket, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    client.on('error', () => undefined);
    client.once('close', () => {
      resolve();
    });
    client.write(Buffer.alloc(bytes, 1), () => {
      client.resetAndDestroy();
    });
  });
}
