import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, isTransferAbortedError, type SessionDataChannel } from '../../src/transfer/index.js';
import { LocalFileSystem, MemoryFileSystem, type FileSystem } from '../../src/vfs/index.js';
import { dial, readAll, writeAll } from './helpers/data-client.js';
import { transferModes } from './helpers/modes.js';
import { loopbackSession } from './helpers/session.js';

/** The project's own filesystems: the transfer engine must honour their handle contracts. */
for (const mode of transferModes.filter((m) => m.withFd)) describe.skipIf(!mode.available)(`vfs backends on the ${mode.name} path`, () => {
  let root: string;
  let plane: LocalDataPlane;
  let channel: SessionDataChannel;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ftpgrid-vfs-transfer-'));
    plane = new LocalDataPlane(mode.plane);
    channel = plane.attach(loopbackSession());
  });

  afterEach(async () => {
    await plane.close();
    await rm(root, { recursive: true, force: true });
  });

  async function roundTrip(fs: FileSystem): Promise<{ downMethod: string; upMethod: string }> {
    const data = randomBytes(3 * 1024 * 1024 + 1);
    let client = await dial(await channel.passive({ extended: true }));
    let upload = writeAll(client, data);
    const up = await channel.store(fs, '/x.bin', { checksum: 'sha256' });
    await upload;
    expect(up.bytes).toBe(data.length);
    expect(up.checksum).toBe(createHash('sha256').update(data).digest('hex'));
    client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const down = await channel.retrieve(fs, '/x.bin', { offset: 10, checksum: 'md5' });
    expect((await received).equals(data.subarray(10))).toBe(true);
    expect(down.checksum).toBe(createHash('md5').update(data.subarray(10)).digest('hex'));
    // Append, then read back the whole file.
    client = await dial(await channel.passive({ extended: true }));
    upload = writeAll(client, Buffer.from('tail'));
    await channel.store(fs, '/x.bin', { append: true });
    await upload;
    client = await dial(await channel.passive({ extended: true }));
    const whole = readAll(client);
    await channel.retrieve(fs, '/x.bin');
    expect((await whole).equals(Buffer.concat([data, Buffer.from('tail')]))).toBe(true);
    return { downMethod: down.method, upMethod: up.method };
  }

  it('moves bytes through LocalFileSystem', async () => {
    const methods = await roundTrip(new LocalFileSystem({ root }));
    expect(methods).toEqual({ downMethod: mode.method, upMethod: mode.method });
  });

  it('moves bytes through MemoryFileSystem (streams only: no descriptors)', async () => {
    const methods = await roundTrip(new MemoryFileSystem());
    expect(methods).toEqual({ downMethod: 'stream', upMethod: 'stream' });
  });

  it('never publishes a broken upload to LocalFileSystem', async () => {
    await writeFile(join(root, 'keep.bin'), 'old');
    const fs = new LocalFileSystem({ root });
    const client = await dial(await channel.passive({ extended: true }));
    const stored = channel.store(fs, '/keep.bin');
    client.write(randomBytes(256 * 1024), () => {
      setTimeout(() => client.resetAndDestroy(), 30);
    });
    const error = await stored.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransferAbortedError(error, 'connection-lost')).toBe(true);
    expect(await readFile(join(root, 'keep.bin'), 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['keep.bin']);
  });
});
