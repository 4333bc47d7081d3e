import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FdReadable, FdWritable } from '../../src/transfer/fd-streams.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-fdstreams-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('borrowed-descriptor streams', () => {
  it('write batches (writev) at an offset and read them back from any offset', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 5000 }), { maxLength: 20 }), fc.nat(3000), async (chunks, start) => {
        const path = join(dir, `f${n++}`);
        const fd = openSync(path, 'w+');
        try {
          const writable = new FdWritable(fd, start);
          // Corking makes the stream hand all chunks to _writev at once.
          writable.cork();
          await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), writable);
          const data = Buffer.concat(chunks.map((c) => Buffer.from(c)));
          const onDisk = readFileSync(path);
          expect(onDisk.length).toBe(data.length === 0 ? 0 : start + data.length);
          expect(onDisk.subarray(start).equals(data)).toBe(true);
          const back: Buffer[] = [];
          for await (const chunk of new FdReadable(fd, start)) back.push(chunk as Buffer);
          expect(Buffer.concat(back).equals(data)).toBe(true);
        } finally {
          closeSync(fd);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never closes the descriptor, even when destroyed mid-way', async () => {
    const path = join(dir, 'keep');
    const fd = openSync(path, 'w+');
    try {
      const readable = new FdReadable(fd, 0);
      readable.on('error', () => undefined);
      readable.destroy(new Error('stop'));
      const writable = new FdWritable(fd, 0);
      writable.destroy();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fstatSync(fd).isFile()).toBe(true);
    } finally {
      closeSync(fd);
    }
  });
});
