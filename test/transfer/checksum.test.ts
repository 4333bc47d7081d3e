import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDigest } from '../../src/transfer/index.js';
import { digestFileRange } from '../../src/transfer/checksum.js';

describe('checksums', () => {
  it('matches the standard check values', () => {
    const check = Buffer.from('123456789');
    const crc = createDigest('crc32');
    crc.update(check);
    expect(crc.digest()).toBe('cbf43926');
    const md5 = createDigest('md5');
    md5.update(Buffer.from('abc'));
    expect(md5.digest()).toBe('900150983cd24fb0d6963f7d28e17f72');
    const empty = createDigest('crc32');
    expect(empty.digest()).toBe('00000000');
  });

  it('is independent of how the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(2000), fc.constantFrom<'crc32' | 'md5' | 'sha1' | 'sha256'>('crc32', 'md5', 'sha1', 'sha256'), (bytes, cut, algorithm) => {
        const whole = createDigest(algorithm);
        whole.update(bytes);
        const parts = createDigest(algorithm);
        const at = Math.min(cut, bytes.length);
        parts.update(bytes.subarray(0, at));
        parts.update(bytes.subarray(at));
        expect(parts.digest()).toBe(whole.digest());
      }),
    );
  });

  it('hashes a range of a file by descriptor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftpgrid-sum-'));
    try {
      const data = randomBytes(3 * 1024 * 1024 + 11);
      const path = join(dir, 'f');
      writeFileSync(path, data);
      const fd = openSync(path, 'r');
      try {
        const got = await digestFileRange(fd, 1000, data.length - 2000, 'sha256');
        expect(got).toBe(createHash('sha256').update(data.subarray(1000, data.length - 1000)).digest('hex'));
      } finally {
        closeSync(fd);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
