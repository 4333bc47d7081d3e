import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, isProtocolError } from '../../../src/cluster/protocol/index.js';

/** Feeds `stream` to a fresh decoder cut at `cuts`; returns the payloads as hex. */
function decodeChunked(stream: Buffer, cuts: number[], limit: number): string[] {
  const decoder = new FrameDecoder(limit);
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let start = 0;
  for (const point of [...points, stream.length]) {
    out.push(...decoder.push(stream.subarray(start, point)).map((f) => f.toString('hex')));
    start = point;
  }
  expect(decoder.buffered).toBe(0);
  return out;
}

const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

describe('FrameDecoder', () => {
  it('round-trips encodeFrame: header is the big-endian payload length', () => {
    const frame = encodeFrame(Buffer.from('abc'));
    expect(frame.toString('hex')).toBe('00000003616263');
    expect(new FrameDecoder(16).push(frame).map((f) => f.toString())).toEqual(['abc']);
    expect(new FrameDecoder(16).push(encodeFrame(new Uint8Array(0))).map((f) => f.length)).toEqual([0]);
  });

  it('yields the same frames however the stream is split (property)', () => {
    fc.assert(fc.property(payloads, fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
      const stream = Buffer.concat(frames.map((p) => encodeFrame(p)));
      expect(decodeChunked(stream, cuts, 300)).toEqual(frames.map((p) => Buffer.from(p).toString('hex')));
    }), { numRuns: 300 });
  });

  it('byte-at-a-time feeding gives the same frames (property)', () => {
    fc.assert(fc.property(payloads, (frames) => {
      const stream = Buffer.concat(frames.map((p) => encodeFrame(p)));
      const cuts = Array.from({ length: stream.length }, (_v, i) => i);
      expect(decodeChunked(stream, cuts, 300)).toEqual(frames.map((p) => Buffer.from(p).toString('hex')));
    }), { numRuns: 50 });
  });

  it('accepts a frame of exactly the limit and refuses one byte more', () => {
    expect(new FrameDecoder(10).push(encodeFrame(Buffer.alloc(10))).map((f) => f.length)).toEqual([10]);
    expect(() => new FrameDecoder(10).push(encodeFrame(Buffer.alloc(11)))).toThrow(expect.objectContaining({ code: 'frame-too-large' }));
  });

  it('throws frame-too-large as soon as an oversized header is complete, before any payload arrives (property)', () => {
    fc.assert(fc.property(
      fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 0xffffffff }), fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 5 }), fc.integer({ min: 1, max: FRAME_HEADER_BYTES }),
      (limit, excess, before, firstCut) => {
        const length = Math.min(0xffffffff, limit + excess);
        const decoder = new FrameDecoder(limit);
        // Valid small frames first (within the limit), then the oversized header, fed in two pieces.
        const good = before.filter((p) => p.length <= limit);
        const prefix = Buffer.concat(good.map((p) => encodeFrame(p)));
        expect(decoder.push(prefix)).toHaveLength(good.length);
        const header = Buffer.alloc(FRAME_HEADER_BYTES);
        header.writeUInt32BE(length);
        if (firstCut < FRAME_HEADER_BYTES) expect(decoder.push(header.subarray(0, firstCut))).toEqual([]);
        let thrown: unknown;
        try {
          decoder.push(header.subarray(firstCut < FRAME_HEADER_BYTES ? firstCut : 0));
        } catch (error) {
          thrown = error;
        }
        expect(isProtocolError(thrown, 'frame-too-large')).toBe(true);
        // Nothing beyond the header was ever held: the payload was refused before it came.
        expect(decoder.buffered).toBeLessThanOrEqual(FRAME_HEADER_BYTES);
      },
    ), { numRuns: 300 });
  });

  it('holds a partial frame within its limit and completes it later', () => {
    const decoder = new FrameDecoder(1000);
    const frame = encodeFrame(Buffer.alloc(900, 7));
    expect(decoder.push(frame.subarray(0, 500))).toEqual([]);
    expect(decoder.buffered).toBe(500);
    const [done] = decoder.push(frame.subarray(500));
    expect(done?.length).toBe(900);
    expect(decoder.buffered).toBe(0);
  });

  it('a raised limit applies to the next header (handshake -> session)', () => {
    const decoder = new FrameDecoder(8);
    expect(() => decoder.push(encodeFrame(Buffer.alloc(9)).subarray(0, 4))).toThrow(expect.objectContaining({ code: 'frame-too-large' }));
    const fresh = new FrameDecoder(8);
    fresh.setMaxFrameBytes(64);
    expect(fresh.push(encodeFrame(Buffer.alloc(40)))).toHaveLength(1);
  });
});
