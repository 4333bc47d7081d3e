import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDigest } from '../../src/vfs/index.js';
import { tableCrc32 } from '../../src/vfs/digest.js';

describe('createDigest (the one checksum implementation)', () => {
  it('the table CRC-32 used on Node < 20.15 equals zlib, whole and chunked', () => {
    const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
    if (native === undefined) throw new Error('this check needs zlib.crc32 (Node >= 20.15) to compare with');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat({ max: 2048 }), (bytes, cut) => {
        const at = Math.min(cut, bytes.length);
        expect(tableCrc32(bytes, 0)).toBe(native(bytes, 0));
        expect(tableCrc32(bytes.subarray(at), tableCrc32(bytes.subarray(0, at), 0))).toBe(native(bytes, 0));
      }),
    );
  });

  it('gives the well-known digests of "123456789"', () => {
    const check = (algorithm: 'crc32' | 'md5' | 'sha1' | 'sha256'): string => {
      const digest = createDigest(algorithm);
      digest.update(Buffer.from('12345'));
      digest.update(Buffer.from('6789'));
      return digest.digest();
    };
    expect(check('crc32')).toBe('cbf43926');
    expect(check('md5')).toBe('25f9e794323b453885f5181f1b624d0b');
    expect(check('sha1')).toBe('f7c3bc1d808e04732adf679965ccc34ca7ae3441');
    expect(check('sha256')).toBe('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
  });
});
