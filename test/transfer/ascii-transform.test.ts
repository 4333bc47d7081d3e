import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrlfToLf, LfToCrlf } from '../../src/transfer/ascii-transform.js';

/** Bytes biased towards CR and LF so the interesting cases show up. */
const text = fc.array(fc.oneof(fc.constantFrom(0x0d, 0x0a), fc.nat(255)), { maxLength: 300 }).map((bytes) => Buffer.from(bytes));

function splitAt(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(data.subarray(last, p));
    last = p;
  }
  parts.push(data.subarray(last));
  return parts;
}

function reference(data: Buffer, direction: 'out' | 'in'): Buffer {
  const s = data.toString('latin1');
  return Buffer.from(direction === 'out' ? s.replace(/(?<!\r)\n/g, '\r\n') : s.replace(/\r\n/g, '\n'), 'latin1');
}

async function run(transform: LfToCrlf | CrlfToLf, parts: Buffer[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const readable = Readable.from(parts.filter((p) => p.length > 0)).pipe(transform);
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('ASCII conversion', () => {
  it('LF -> CRLF matches the reference and does not depend on chunking', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 8 }), async (data, cuts) => {
        expect((await run(new LfToCrlf(), splitAt(data, cuts))).equals(reference(data, 'out'))).toBe(true);
      }),
    );
  });

  it('CRLF -> LF matches the reference and does not depend on chunking', async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 8 }), async (data, cuts) => {
        expect((await run(new CrlfToLf(), splitAt(data, cuts))).equals(reference(data, 'in'))).toBe(true);
      }),
    );
  });

  it('round-trips text without CR', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (raw) => {
        const data = Buffer.from(raw.filter((b) => b !== 0x0d));
        const wire = await run(new LfToCrlf(), [data]);
        expect((await run(new CrlfToLf(), [wire])).equals(data)).toBe(true);
      }),
    );
  });

  it('handles a CR split from its LF across chunks', async () => {
    expect((await run(new CrlfToLf(), [Buffer.from('a\r'), Buffer.from('\nb\r')])).toString()).toBe('a\nb\r');
    expect((await run(new LfToCrlf(), [Buffer.from('a\r'), Buffer.from('\nb\n')])).toString()).toBe('a\r\nb\r\n');
  });
});
