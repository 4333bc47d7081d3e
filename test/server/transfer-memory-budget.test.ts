import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDataPlane } from '../../src/transfer/index.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { waitFor } from '../support/wait-for.js';

const LIMIT = 256 * 1024;

describe('the global transfer memory budget', () => {
  let server: TestServer | undefined;
  let plane: LocalDataPlane | undefined;

  afterEach(async () => {
    await server?.close();
    await plane?.close();
    server = undefined;
    plane = undefined;
  });

  it.each([
    { name: 'LocalFileSystem (descriptor pumps)', local: true },
    { name: 'MemoryFileSystem (backend streams)', local: false },
  ])('holds its cap with many transfers at once on $name, and every transfer completes', async ({ local }) => {
    // Streams only: zero-copy transfers use no buffers and would not be counted.
    plane = new LocalDataPlane({ zeroCopy: 'off', transferMemoryBytes: LIMIT, transferMemoryWaitMs: 30_000 });
    server = await startTestServer({ local, dataPlane: plane, maxSessionsPerIp: 100 });
    const files = Array.from({ length: 24 }, () => randomBytes(100 * 1024 + 7));
    const setup = await server.loggedIn();
    await setup.expect('TYPE I', 200);
    for (const [i, data] of files.entries()) await setup.put(`/d${i}.bin`, data);
    const memory = plane.transferMemory;
    const live = server;
    const clients = await Promise.all(files.map(() => live.loggedIn()));
    for (const client of clients) await client.expect('TYPE I', 200);
    // All the budget held elsewhere: every download must queue; then it is freed and they
    // run at once, 24 downloads of 128 KiB buffers each through 256 KiB.
    const hog = memory.tryLease(LIMIT);
    const downloads = clients.map((client, i) => client.download(`RETR /d${i}.bin`));
    expect(await waitFor(() => memory.waiting === files.length, 10_000)).toBe(true);
    hog?.release();
    for (const [i, down] of (await Promise.all(downloads)).entries()) {
      expect(down.last?.code).toBe(226);
      expect(down.data.equals(files[i] ?? Buffer.alloc(0))).toBe(true);
    }
    // Uploads at once too (a 512 KiB arena or 1 MiB pipeline charge each, capped to the budget).
    await Promise.all(clients.map((client, i) => client.put(`/u${i}.bin`, files[i] ?? Buffer.alloc(0))));
    expect(memory.peak).toBeLessThanOrEqual(LIMIT);
    expect(memory.leased).toBe(0);
    const check = await server.loggedIn();
    await check.expect('TYPE I', 200);
    for (const [i, data] of files.entries()) {
      const back = await check.download(`RETR /u${i}.bin`);
      expect(back.data.equals(data)).toBe(true);
    }
  });

  it('answers 425 with a clear text when the budget stays spent for the whole wait, and serves again once freed', async () => {
    plane = new LocalDataPlane({ zeroCopy: 'off', transferMemoryBytes: LIMIT, transferMemoryWaitMs: 50 });
    server = await startTestServer({ local: true, dataPlane: plane });
    const client = await server.loggedIn();
    await client.expect('TYPE I', 200);
    await client.put('/a.bin', 'hello');
    const hog = plane.transferMemory.tryLease(LIMIT);
    expect(hog).toBeDefined();
    const refused = await client.download('RETR /a.bin');
    expect(refused.first.code).toBe(425);
    expect(refused.first.lines.join(' ')).toContain('transfer memory is busy, try again later');
    const upload = await client.upload('STOR /b.bin', 'x');
    expect(upload.first.code).toBe(425);
    hog?.release();
    const served = await client.download('RETR /a.bin');
    expect(served.last?.code).toBe(226);
    expect(served.data.toString()).toBe('hello');
  });
});
