import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, TransferAbortedError, isTransferAbortedError, type SessionDataChannel } from '../../src/transfer/index.js';
import { isFsError } from '../../src/vfs/index.js';
import { activeClient, closed, dial, readAll, writeAll } from './helpers/data-client.js';
import { DiskFs } from './helpers/disk-fs.js';
import { transferModes } from './helpers/modes.js';
import { loopbackSession } from './helpers/session.js';

for (const mode of transferModes) describe.skipIf(!mode.available)(`transfers on the ${mode.name} path`, () => {
  let fs: DiskFs;
  let plane: LocalDataPlane;
  let channel: SessionDataChannel;

  beforeEach(async () => {
    fs = await DiskFs.create(mode.withFd);
    plane = new LocalDataPlane({ ...mode.plane, passiveTimeoutMs: 5000, connectTimeoutMs: 5000 });
    channel = plane.attach(loopbackSession({ user: 'alice' }));
  });

  afterEach(async () => {
    await plane.close();
    await fs.dispose();
    expect(plane.passiveListeners).toBe(0);
  });

  function file(name: string, data: Buffer): Buffer {
    writeFileSync(fs.host(name), data);
    return data;
  }

  it('retrieves a whole file through a passive connection', async () => {
    const data = file('a.bin', randomBytes(3 * 1024 * 1024 + 17));
    const endpoint = await channel.passive({ extended: true });
    const client = await dial(endpoint);
    const received = readAll(client);
    let started = 0;
    const result = await channel.retrieve(fs, '/a.bin', { onStart: () => started++ });
    expect(started).toBe(1);
    expect((await received).equals(data)).toBe(true);
    expect(result.bytes).toBe(data.length);
    expect(result.method).toBe(mode.method);
    expect(channel.ready).toBe(false);
  });

  it('retrieves from an offset (REST)', async () => {
    const data = file('a.bin', randomBytes(1_000_003));
    const client = await dial(await channel.passive({ extended: false }));
    const received = readAll(client);
    const result = await channel.retrieve(fs, '/a.bin', { offset: 654_321 });
    expect((await received).equals(data.subarray(654_321))).toBe(true);
    expect(result.bytes).toBe(data.length - 654_321);
  });

  it('retrieves an empty file and a file from its end', async () => {
    file('e.bin', Buffer.alloc(0));
    let client = await dial(await channel.passive({ extended: true }));
    let received = readAll(client);
    expect((await channel.retrieve(fs, '/e.bin')).bytes).toBe(0);
    expect((await received).length).toBe(0);
    file('f.bin', Buffer.from('hello'));
    client = await dial(await channel.passive({ extended: true }));
    received = readAll(client);
    expect((await channel.retrieve(fs, '/f.bin', { offset: 5 })).bytes).toBe(0);
    expect((await received).length).toBe(0);
  });

  it.each(['crc32', 'md5', 'sha1', 'sha256'] as const)('computes a %s checksum of a retrieved range', async (algorithm) => {
    const data = file('c.bin', randomBytes(2 * 1024 * 1024 + 5));
    const client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const result = await channel.retrieve(fs, '/c.bin', { offset: 100, checksum: algorithm });
    await received;
    const part = data.subarray(100);
    const expected = algorithm === 'crc32' ? zlib.crc32(part).toString(16).padStart(8, '0') : createHash(algorithm).update(part).digest('hex');
    expect(result.checksum).toBe(expected);
  });

  it('stores an upload and publishes it only on success, with a checksum', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const client = await dial(await channel.passive({ extended: true }));
    const upload = writeAll(client, data);
    const result = await channel.store(fs, '/up.bin', { checksum: 'sha256' });
    await upload;
    expect(readFileSync(fs.host('up.bin')).equals(data)).toBe(true);
    expect(result.bytes).toBe(data.length);
    expect(result.method).toBe(mode.method);
    expect(result.checksum).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('stores at an offset (REST) and appends (APPE)', async () => {
    const original = file('r.bin', randomBytes(100_000));
    const tail = randomBytes(50_000);
    let client = await dial(await channel.passive({ extended: true }));
    let upload = writeAll(client, tail);
    await channel.store(fs, '/r.bin', { offset: 60_000 });
    await upload;
    const expected = Buffer.concat([original.subarray(0, 60_000), tail]);
    expect(readFileSync(fs.host('r.bin')).equals(expected)).toBe(true);
    const more = randomBytes(12_345);
    client = await dial(await channel.passive({ extended: true }));
    upload = writeAll(client, more);
    const result = await channel.store(fs, '/r.bin', { append: true });
    await upload;
    expect(result.bytes).toBe(more.length);
    expect(readFileSync(fs.host('r.bin')).equals(Buffer.concat([expected, more]))).toBe(true);
  });

  it('never publishes an upload whose client vanished', async () => {
    file('keep.bin', Buffer.from('previous content'));
    const client = await dial(await channel.passive({ extended: true }));
    const stored = channel.store(fs, '/keep.bin');
    client.write(randomBytes(512 * 1024), () => {
      setTimeout(() => client.resetAndDestroy(), 50);
    });
    const error = await stored.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransferAbortedError(error, 'connection-lost')).toBe(true);
    expect(readFileSync(fs.host('keep.bin'), 'utf8')).toBe('previous content');
    expect(readdirSync(fs.root)).toEqual(['keep.bin']);
  });

  it('reports a lost connection when the client vanishes mid-download', async () => {
    file('big.bin', randomBytes(48 * 1024 * 1024));
    const client = await dial(await channel.passive({ extended: true }));
    client.once('data', () => {
      client.resetAndDestroy();
    });
    const error = await channel.retrieve(fs, '/big.bin').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransferAbortedError(error, 'connection-lost')).toBe(true);
  });

  it('stops promptly on abort (ABOR) and frees the connection', async () => {
    const throttled = new LocalDataPlane({ ...mode.plane, throttle: { perSessionBytesPerSecond: 256 * 1024 } });
    try {
      const ch = throttled.attach(loopbackSession());
      file('slow.bin', randomBytes(8 * 1024 * 1024));
      const client = await dial(await ch.passive({ extended: true }));
      client.once('data', () => {
        void ch.abort();
      });
      client.resume();
      const error = await ch.retrieve(fs, '/slow.bin').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransferAbortedError);
      expect((error as TransferAbortedError).reason).toBe('aborted');
      await closed(client);
      expect(ch.ready).toBe(false);
    } finally {
      await throttled.close();
    }
  });

  it('aborts a running upload through the caller signal and discards it', async () => {
    const controller = new AbortController();
    const client = await dial(await channel.passive({ extended: true }));
    client.write(randomBytes(64 * 1024));
    const stored = channel.store(fs, '/never.bin', {
      signal: controller.signal,
      onProgress: () => {
        controller.abort();
      },
    });
    setTimeout(() => {
      controller.abort();
    }, 200).unref();
    const error = await stored.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransferAbortedError(error, 'aborted')).toBe(true);
    expect(existsSync(fs.host('never.bin'))).toBe(false);
    client.destroy();
  });

  it('aborts a stalled data connection after dataTimeoutMs', async () => {
    const impatient = new LocalDataPlane({ ...mode.plane, dataTimeoutMs: 150 });
    try {
      const ch = impatient.attach(loopbackSession());
      const client = await dial(await ch.passive({ extended: true }));
      const error = await ch.store(fs, '/stall.bin').then(
        () => null,
        (e: unknown) => e,
      );
      expect(isTransferAbortedError(error, 'stalled')).toBe(true);
      expect(existsSync(fs.host('stall.bin'))).toBe(false);
      client.destroy();
    } finally {
      await impatient.close();
    }
  });

  it('converts line ends in ASCII type, on the stream path whatever the mode', async () => {
    file('t.txt', Buffer.from('a\nb\r\nc\n'));
    let client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const out = await channel.retrieve(fs, '/t.txt', { type: 'ascii' });
    expect((await received).toString()).toBe('a\r\nb\r\nc\r\n');
    expect(out.method).toBe('stream');
    expect(out.bytes).toBe(9);
    client = await dial(await channel.passive({ extended: true }));
    const upload = writeAll(client, Buffer.from('x\r\ny\r\nz\r'));
    const up = await channel.store(fs, '/u.txt', { type: 'ascii' });
    await upload;
    expect(readFileSync(fs.host('u.txt'), 'utf8')).toBe('x\ny\nz\r');
    expect(up.method).toBe('stream');
  });

  it('sends a listing as CRLF lines', async () => {
    async function* lines(): AsyncIterable<string> {
      await Promise.resolve();
      yield 'one';
      yield 'zwei ü';
      for (let i = 0; i < 5000; i++) yield `line ${i}`;
    }
    const client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const result = await channel.sendListing(lines());
    const text = (await received).toString('utf8');
    const expected = ['one', 'zwei ü', ...Array.from({ length: 5000 }, (_, i) => `line ${i}`)].map((l) => `${l}\r\n`).join('');
    expect(text).toBe(expected);
    expect(result.bytes).toBe(Buffer.byteLength(expected));
  });

  it('retrieves and stores through an active (PORT/EPRT) connection', async () => {
    const data = file('act.bin', randomBytes(1024 * 1024 + 1));
    const listener = await activeClient();
    try {
      await channel.active({ host: '127.0.0.1', port: listener.port });
      expect(channel.ready).toBe(true);
      const accepted = listener.next().then(readAll);
      const result = await channel.retrieve(fs, '/act.bin');
      expect((await accepted).equals(data)).toBe(true);
      expect(result.method).toBe(mode.method);
      await channel.active({ host: '::ffff:127.0.0.1', port: listener.port });
      const upload = listener.next().then((s) => writeAll(s, data));
      await channel.store(fs, '/act-up.bin');
      await upload;
      expect(readFileSync(fs.host('act-up.bin')).equals(data)).toBe(true);
    } finally {
      await listener.close();
    }
  });

  it('reports progress that only grows and ends at the total', async () => {
    const data = file('p.bin', randomBytes(4 * 1024 * 1024));
    const seen: number[] = [];
    const client = await dial(await channel.passive({ extended: true }));
    const received = readAll(client);
    const result = await channel.retrieve(fs, '/p.bin', { onProgress: (b) => seen.push(b) });
    await received;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(data.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails before onStart with the filesystem error, and spends the endpoint', async () => {
    await channel.passive({ extended: true });
    let started = false;
    const error = await channel.retrieve(fs, '/missing', { onStart: () => (started = true) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFsError(error, 'not-found')).toBe(true);
    expect(started).toBe(false);
    expect(channel.ready).toBe(false);
    expect(plane.passiveListeners).toBe(0);
  });

  it('caps bandwidth per session (a throttled transfer cannot beat its rate)', async () => {
    const capped = new LocalDataPlane({ ...mode.plane, throttle: { perSessionBytesPerSecond: 2 * 1024 * 1024 } });
    try {
      const ch = capped.attach(loopbackSession());
      const data = file('cap.bin', randomBytes(1024 * 1024));
      const client = await dial(await ch.passive({ extended: true }));
      const received = readAll(client);
      const result = await ch.retrieve(fs, '/cap.bin');
      expect((await received).equals(data)).toBe(true);
      // 1 MiB at 2 MiB/s with a 0.2 MiB burst needs at least ~0.4 s; allow timer slack below.
      expect(result.durationMs).toBeGreaterThan(300);
    } finally {
      await capped.close();
    }
  });

  it('caps uploads too, and reports the rate with progress', async () => {
    const capped = new LocalDataPlane({ ...mode.plane, throttle: { perSessionBytesPerSecond: 2 * 1024 * 1024 } });
    try {
      const ch = capped.attach(loopbackSession());
      const data = randomBytes(1024 * 1024);
      const rates: number[] = [];
      const client = await dial(await ch.passive({ extended: true }));
      const upload = writeAll(client, data);
      const result = await ch.store(fs, '/cap-up.bin', { onProgress: (_b, rate) => rates.push(rate ?? -1) });
      await upload;
      expect(readFileSync(fs.host('cap-up.bin')).equals(data)).toBe(true);
      expect(result.durationMs).toBeGreaterThan(300);
      expect(rates.length).toBeGreaterThan(0);
      expect(rates.every((r) => r > 0)).toBe(true);
    } finally {
      await capped.close();
    }
  });

  it('shares one cap between the sessions of a user, and one between all users globally', async () => {
    for (const throttle of [{ perUserBytesPerSecond: 4 * 1024 * 1024 }, { globalBytesPerSecond: 4 * 1024 * 1024 }]) {
      const capped = new LocalDataPlane({ ...mode.plane, throttle });
      try {
        const data = file('shared.bin', randomBytes(1024 * 1024));
        const channels = [capped.attach(loopbackSession({ user: 'bob' })), capped.attach(loopbackSession({ user: 'bob' }))];
        const started = performance.now();
        await Promise.all(
          channels.map(async (ch) => {
            const received = readAll(await dial(await ch.passive({ extended: true })));
            await ch.retrieve(fs, '/shared.bin');
            expect((await received).equals(data)).toBe(true);
          }),
        );
        // 2 MiB through one 4 MiB/s bucket (0.4 MiB burst) needs at least ~0.4 s.
        expect(performance.now() - started).toBeGreaterThan(300);
      } finally {
        await capped.close();
      }
    }
  });

  it.runIf(process.platform === 'linux')('frees every descriptor after failed and successful transfers', async () => {
    const count = (): number => readdirSync('/proc/self/fd').length;
    file('leak.bin', randomBytes(8 * 1024 * 1024));
    const before = count();
    for (let i = 0; i < 5; i++) {
      const client = await dial(await channel.passive({ extended: true }));
      client.once('data', () => {
        client.resetAndDestroy();
      });
      await channel.retrieve(fs, '/leak.bin').catch(() => undefined);
      const up = await dial(await channel.passive({ extended: true }));
      const stored = channel.store(fs, `/leak-${i}.bin`).catch(() => undefined);
      up.write(randomBytes(1024), () => {
        up.resetAndDestroy();
      });
      await stored;
      const ok = await dial(await channel.passive({ extended: true }));
      const received = readAll(ok);
      await channel.retrieve(fs, '/leak.bin');
      await received;
    }
    // The last transfer's listener stays bound for the session's next PASV (one, counted) ...
    expect(plane.passiveListeners).toBe(1);
    // ... and goes with the session.
    await channel.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count()).toBeLessThanOrEqual(before);
    expect(plane.passiveListeners).toBe(0);
  });
});
