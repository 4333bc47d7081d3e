import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferRing } from '../../src/transfer/buffer-ring.js';
import { createDigest } from '../../src/transfer/checksum.js';
import { ProgressMeter } from '../../src/transfer/progress-meter.js';
import { pumpFileOut } from '../../src/transfer/pump-file-out.js';
import { pumpSocketIn } from '../../src/transfer/pump-socket-in.js';
import { findReadInternals, readIntoArena } from '../../src/transfer/socket-arena-reader.js';
import { Throttle } from '../../src/transfer/throttle.js';
import { TokenBucket } from '../../src/transfer/token-bucket.js';
import { fileOutBuffers } from '../../src/transfer/pump-file-out.js';
import { TransferMemory } from '../../src/transfer/transfer-memory.js';

let dir: string;
let server: Server;
const waiting: ((socket: Socket) => void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-pumps-'));
  server = createServer({ pauseOnConnect: true }, (socket) => {
    waiting.shift()?.(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** A connected pair on 127.0.0.1: `local` is the server side (as a data connection), `peer` the client. */
async function pair(): Promise<{ local: Socket; peer: Socket }> {
  const accepted = new Promise<Socket>((resolve) => waiting.push(resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const peer = connect(address.port, '127.0.0.1');
  const local = await accepted;
  await new Promise<void>((resolve) => {
    if (peer.connecting) peer.once('connect', resolve);
    else resolve();
  });
  return { local, peer };
}

function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.once('error', reject);
  });
}

function noThrottle(): Throttle {
  return new Throttle([]);
}

let fileNo = 0;
function tempFile(content: Buffer): string {
  const path = join(dir, `f${fileNo++}`);
  writeFileSync(path, content);
  return path;
}

describe('BufferRing', () => {
  it('never holds more than max buffers and hands given-back ones out again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { maxLength: 60 }), async (max, ops) => {
        const ring = new BufferRing(16, max);
        const out: Buffer[] = [];
        const seen = new Set<Buffer>();
        for (const take of ops) {
          if (take && out.length < max) {
            const buffer = await ring.take();
            expect(out.includes(buffer)).toBe(false);
            out.push(buffer);
            seen.add(buffer);
          } else if (!take && out.length > 0) {
            const back = out.shift();
            if (back !== undefined) ring.give(back);
          }
          expect(ring.created).toBeLessThanOrEqual(max);
        }
        expect(seen.size).toBe(ring.created);
      }),
      { numRuns: 100 },
    );
  });

  it('makes a caller wait for a buffer when all are out, and rejects bad sizes', async () => {
    const ring = new BufferRing(8, 1);
    const first = await ring.take();
    const second = ring.take();
    expect(second).toBeInstanceOf(Promise);
    ring.give(first);
    expect(await second).toBe(first);
    expect(() => new BufferRing(0, 1)).toThrow(RangeError);
    expect(() => new BufferRing(8, 0)).toThrow(RangeError);
  });
});

describe('pumpFileOut', () => {
  it('sends the file from any offset, counts and hashes exactly those bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 * 1024 * 1024 }), fc.double({ min: 0, max: 1, noNaN: true }), async (size, at) => {
        const content = randomBytes(size);
        const start = Math.floor(size * at);
        const fd = openSync(tempFile(content), 'r');
        const { local, peer } = await pair();
        try {
          const received = readAll(peer);
          local.resume();
          const meter = new ProgressMeter();
          const digest = createDigest('sha256');
          const sent = await pumpFileOut(fd, start, local, { meter, throttle: noThrottle(), signal: new AbortController().signal, digest });
          const data = await received;
          expect(sent).toBe(size - start);
          expect(meter.bytes).toBe(size - start);
          expect(data.equals(content.subarray(start))).toBe(true);
          expect(digest.digest()).toBe(createHash('sha256').update(content.subarray(start)).digest('hex'));
        } finally {
          local.destroy();
          peer.destroy();
          closeSync(fd);
        }
      }),
      { numRuns: 12 },
    );
  });

  it('sizes its buffers to the file, takes them from the lease and gives them back for the next transfer', async () => {
    expect(fileOutBuffers(4096)).toEqual({ size: 4096, count: 1 });
    expect(fileOutBuffers(5000)).toEqual({ size: 8192, count: 1 });
    expect(fileOutBuffers(8 * 1024 * 1024)).toEqual({ size: 1024 * 1024, count: 3 });
    expect(fileOutBuffers(undefined, 1024 * 1024)).toEqual({ size: 1024 * 1024, count: 1 });
    const memory = new TransferMemory({ limitBytes: 1024 * 1024 });
    const content = randomBytes(4096);
    const fd = openSync(tempFile(content), 'r');
    try {
      for (let round = 0; round < 2; round++) {
        const { local, peer } = await pair();
        const received = readAll(peer);
        local.resume();
        const lease = memory.tryLease(4096);
        if (lease === undefined) throw new Error('no lease');
        const sent = await pumpFileOut(fd, 0, local, { meter: new ProgressMeter(), throttle: noThrottle(), signal: new AbortController().signal, length: 4096, lease });
        lease.release();
        expect(sent).toBe(4096);
        expect((await received).equals(content)).toBe(true);
        // The one 4 KiB buffer is back in the pool (the second round reused it).
        expect(memory.retained).toBe(4096);
        local.destroy();
        peer.destroy();
      }
      expect(memory.peak).toBeLessThanOrEqual(8192);
    } finally {
      closeSync(fd);
    }
  });

  it('sends a small file (syncReadBytes) whole with one buffer of the lease, from any offset, and gives the buffer back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 80 * 1024 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (size, at, leased) => {
        const content = randomBytes(size);
        const start = Math.floor(size * at);
        const length = size - start;
        const fd = openSync(tempFile(content), 'r');
        const memory = new TransferMemory({ limitBytes: 1024 * 1024 });
        const lease = leased ? memory.tryLease(fileOutBuffers(length).size * fileOutBuffers(length).count) : undefined;
        const { local, peer } = await pair();
        try {
          const received = readAll(peer);
          local.resume();
          const meter = new ProgressMeter();
          const digest = createDigest('sha256');
          const sent = await pumpFileOut(fd, start, local, { meter, throttle: noThrottle(), signal: new AbortController().signal, digest, length, lease, syncReadBytes: 64 * 1024 });
          const data = await received;
          expect(sent).toBe(length);
          expect(meter.bytes).toBe(length);
          expect(data.equals(content.subarray(start))).toBe(true);
          expect(digest.digest()).toBe(createHash('sha256').update(content.subarray(start)).digest('hex'));
          lease?.release();
          // Every buffer taken from the lease was given back once written.
          if (lease !== undefined && length > 0) expect(memory.retained).toBe(fileOutBuffers(length).size * fileOutBuffers(length).count);
        } finally {
          local.destroy();
          peer.destroy();
          closeSync(fd);
        }
      }),
      { numRuns: 16 },
    );
  });

  /** Pumps a file of `content` out with `options` to a connected peer; resolves with what was sent and what the peer received. */
  async function fileOut(content: Buffer, options: Partial<Parameters<typeof pumpFileOut>[3]>): Promise<{ sent: number; received: Buffer }> {
    const fd = openSync(tempFile(content), 'r');
    const { local, peer } = await pair();
    try {
      const received = readAll(peer);
      local.resume();
      const sent = await pumpFileOut(fd, 0, local, { meter: new ProgressMeter(), throttle: noThrottle(), signal: new AbortController().signal, ...options });
      return { sent, received: await received };
    } finally {
      local.destroy();
      peer.destroy();
      closeSync(fd);
    }
  }

  it('sends what is there when a small file shrank after its size was taken', async () => {
    const content = randomBytes(3000);
    const { sent, received } = await fileOut(content, { length: 4096, syncReadBytes: 64 * 1024 });
    expect(sent).toBe(3000);
    expect(received.equals(content)).toBe(true);
  });

  it('paces a throttled transfer in grant-sized reads and still sends every byte', async () => {
    const content = randomBytes(200_000);
    const throttle = new Throttle([new TokenBucket({ bytesPerSecond: 4_000_000, burstBytes: 16_384 })]);
    const { received } = await fileOut(content, { throttle });
    expect(received.equals(content)).toBe(true);
  });

  it('rejects (instead of hanging) when the peer resets mid-transfer, and when aborted', async () => {
    const content = randomBytes(8 * 1024 * 1024);
    const fd = openSync(tempFile(content), 'r');
    try {
      const first = await pair();
      first.local.resume();
      // The peer never reads, then resets: the pump is stuck on drain until the reset.
      const pending = pumpFileOut(fd, 0, first.local, { meter: new ProgressMeter(), throttle: noThrottle(), signal: new AbortController().signal });
      setTimeout(() => first.peer.resetAndDestroy(), 50);
      await expect(pending).rejects.toThrow();
      first.local.destroy();

      const second = await pair();
      second.local.resume();
      const controller = new AbortController();
      const aborted = pumpFileOut(fd, 0, second.local, { meter: new ProgressMeter(), throttle: noThrottle(), signal: controller.signal });
      setTimeout(() => {
        controller.abort(new Error('stop'));
      }, 50);
      await expect(aborted).rejects.toThrow('stop');
      second.local.destroy();
      second.peer.destroy();
    } finally {
      closeSync(fd);
    }
  });
});

describe('pumpSocketIn', () => {
  it('writes everything the peer sends at the offset, however it is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 12 }), fc.nat(5000), async (sizes, start) => {
        const chunks = sizes.map((n) => randomBytes(n));
        const data = Buffer.concat(chunks);
        const path = tempFile(Buffer.alloc(0));
        const fd = openSync(path, 'r+');
        const { local, peer } = await pair();
        try {
          const digest = createDigest('crc32');
          const meter = new ProgressMeter();
          const done = pumpSocketIn(local, fd, start, { meter, signal: new AbortController().signal, digest });
          for (const chunk of chunks) peer.write(chunk);
          peer.end();
          expect(await done).toBe(data.length);
          expect(meter.bytes).toBe(data.length);
          const onDisk = readFileSync(path);
          expect(onDisk.subarray(start).equals(data)).toBe(true);
          const expected = createDigest('crc32');
          expected.update(data);
          expect(digest.digest()).toBe(expected.digest());
        } finally {
          local.destroy();
          peer.destroy();
          closeSync(fd);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('writes what arrived before a lost connection, then rejects as a premature close', async () => {
    const path = tempFile(Buffer.alloc(0));
    const fd = openSync(path, 'r+');
    const { local, peer } = await pair();
    try {
      const sent = randomBytes(100_000);
      const done = pumpSocketIn(local, fd, 0, { meter: new ProgressMeter(), signal: new AbortController().signal });
      peer.write(sent, () => {
        // Let it arrive, then vanish without a FIN.
        setTimeout(() => peer.resetAndDestroy(), 50);
      });
      await expect(done).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_STREAM_PREMATURE_CLOSE/) as unknown });
      expect(readFileSync(path).equals(sent)).toBe(true);
    } finally {
      local.destroy();
      peer.destroy();
      closeSync(fd);
    }
  });

  it('rejects with the abort reason when aborted, before or during the upload', async () => {
    const fd = openSync(tempFile(Buffer.alloc(0)), 'r+');
    try {
      const before = await pair();
      const early = new AbortController();
      early.abort(new Error('early'));
      await expect(pumpSocketIn(before.local, fd, 0, { meter: new ProgressMeter(), signal: early.signal })).rejects.toThrow('early');
      before.local.destroy();
      before.peer.destroy();

      const during = await pair();
      const controller = new AbortController();
      const done = pumpSocketIn(during.local, fd, 0, { meter: new ProgressMeter(), signal: controller.signal });
      during.peer.write(randomBytes(10_000));
      setTimeout(() => {
        controller.abort(new Error('late'));
      }, 30);
      await expect(done).rejects.toThrow('late');
      during.local.destroy();
      during.peer.destroy();
    } finally {
      closeSync(fd);
    }
  });
});

describe('readIntoArena', () => {
  it('finds the read machinery on every plain socket, and leaves one that reads into a buffer already alone', async () => {
    const first = await pair();
    const second = await pair();
    try {
      const a = findReadInternals(first.local);
      const b = findReadInternals(second.local);
      expect(a).toBeDefined();
      expect(b?.kBuffer).toBe(a?.kBuffer);
      expect(b?.handle).not.toBe(a?.handle);
      expect(readIntoArena(first.local, 128 * 1024, () => true)).toBeDefined();
      // Taken: neither a second reader nor the control connection's shared buffer may claim it.
      expect(findReadInternals(first.local)).toBeUndefined();
      expect(findReadInternals(second.local)).toBeDefined();
    } finally {
      for (const s of [first.local, first.peer, second.local, second.peer]) s.destroy();
    }
  });

  it('delivers every byte in order; a chunk is never overwritten before it is released', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 0, max: 4 }), async (size, releaseLag) => {
        const data = randomBytes(size);
        const { local, peer } = await pair();
        try {
          const held: Buffer[] = [];
          const copies: Buffer[] = [];
          const ended = new Promise<void>((resolve) => local.once('end', resolve));
          // A 256 KiB arena (4 regions) with chunks held back: the reader must fall back to fresh buffers.
          const reader = readIntoArena(local, 256 * 1024, (chunk) => {
            held.push(chunk);
            copies.push(Buffer.from(chunk));
            while (held.length > releaseLag * 3) {
              const done = held.shift();
              if (done !== undefined) reader?.release(done);
            }
            return true;
          });
          expect(reader).toBeDefined();
          local.resume();
          peer.end(data);
          await ended;
          // Every chunk still held must be unchanged: nothing was read into it after delivery.
          for (let i = 0; i < held.length; i++) {
            const copy = copies[copies.length - held.length + i];
            expect(copy !== undefined && held[i]?.equals(copy) === true).toBe(true);
          }
          expect(Buffer.concat(copies).equals(data)).toBe(true);
          reader?.detach();
        } finally {
          local.destroy();
          peer.destroy();
        }
      }),
      { numRuns: 15 },
    );
  });
});
