import { read, write } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { FileSystem } from '../vfs/index.js';
import { canChecksum, canChmod, canSetTimes, hasFreeSpace, isFsError } from '../vfs/index.js';
import { readFile, writeFile } from './fs-helpers.js';

const readAsync = promisify(read);
const writeAsync = promisify(write);

/** Optional capabilities and descriptors: checked when present, skipped when absent. */
export function capabilityCases(fs: () => FileSystem): void {
  it('sets modification times when it can (SetTimesCapable)', async () => {
    const subject = fs();
    if (!canSetTimes(subject)) return;
    await writeFile(subject, '/f', 'x');
    const when = new Date('2001-02-03T04:05:06Z');
    await subject.setTimes('/f', when);
    expect(Math.floor((await subject.stat('/f')).mtime.getTime() / 1000)).toBe(when.getTime() / 1000);
    await subject.mkdir('/d');
    await subject.setTimes('/d', when);
    expect(Math.floor((await subject.stat('/d')).mtime.getTime() / 1000)).toBe(when.getTime() / 1000);
    await expect(subject.setTimes('/nope', when)).rejects.toSatisfy((e: unknown) => isFsError(e, 'not-found'));
  });

  it('reports free space as a number or undefined (FreeSpaceCapable)', async () => {
    const subject = fs();
    if (!hasFreeSpace(subject)) return;
    const free = await subject.freeSpace('/');
    if (free !== undefined) expect(free).toBeGreaterThanOrEqual(0);
  });

  it('changes permission bits when it can (ChmodCapable)', async () => {
    const subject = fs();
    if (!canChmod(subject)) return;
    await writeFile(subject, '/f', 'x');
    await subject.chmod('/f', 0o600);
    const mode = (await subject.stat('/f')).mode;
    if (mode !== undefined) expect(mode & 0o777).toBe(0o600);
  });

  it('computes checksums of whole files and ranges (ChecksumCapable)', async () => {
    const subject = fs();
    if (!canChecksum(subject)) return;
    await writeFile(subject, '/f', 'hello');
    expect(await subject.checksum('/f', 'crc32')).toBe('3610a686');
    expect(await subject.checksum('/f', 'md5')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(await subject.checksum('/f', 'sha1')).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(await subject.checksum('/f', 'sha256', { start: 1, end: 5 })).toBe('fcba366c2ebf76bf96fe5a737e4a5350bb54ba224e909c06e97e79e8f5e5ffe5');
    expect(await subject.checksum('/f', 'crc32', { start: 2, end: 2 })).toBe('00000000');
    await expect(subject.checksum('/nope', 'md5')).rejects.toSatisfy((e: unknown) => isFsError(e, 'not-found'));
  });

  it('serves positional reads from offset through ReadHandle.fd when present', async () => {
    await writeFile(fs(), '/f', '0123456789');
    const handle = await fs().openRead('/f', { offset: 3 });
    try {
      if (handle.fd === undefined) return;
      const buffer = Buffer.alloc(7);
      const { bytesRead } = await readAsync(handle.fd, buffer, 0, 7, handle.offset);
      expect(buffer.subarray(0, bytesRead).toString()).toBe('3456789');
    } finally {
      await handle.close();
    }
  });

  it('publishes positional writes through WriteHandle.fd when present', async () => {
    await writeFile(fs(), '/f', 'hello');
    const handle = await fs().openWrite('/f', { offset: 2 });
    if (handle.fd === undefined) {
      await handle.abort();
      return;
    }
    const data = Buffer.from('LO!');
    await writeAsync(handle.fd, data, 0, data.length, handle.offset);
    await handle.commit();
    expect((await readFile(fs(), '/f')).toString()).toBe('heLO!');
  });
}
