import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/**
 * RETR without REST and STOR without REST/APPE skip the lookup before the open when an
 * endpoint is ready (the open answers it): the replies must be the ones the lookup gave, on
 * both filesystems, with and without a prepared endpoint.
 */
describe.each([
  { name: 'MemoryFileSystem', local: false },
  { name: 'LocalFileSystem', local: true },
])('checks before RETR and STOR on $name', ({ local }) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('RETR announces the size in its 150 with or without REST, and 550s a missing file or a directory before any 150', async () => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    await c.put('/five.bin', '12345');
    await c.expect('MKD /dir', 257);
    const whole = await c.download('RETR /five.bin');
    expect(whole.first.code).toBe(150);
    expect(whole.first.lines.join('')).toContain('/five.bin (5 bytes)');
    expect(whole.data.toString()).toBe('12345');
    expect(await c.code('REST 2')).toBe(350);
    const rest = await c.download('RETR /five.bin');
    expect(rest.first.lines.join('')).toContain('/five.bin (3 bytes)');
    expect(rest.data.toString()).toBe('345');
    const events: string[] = [];
    t.server.on('transferStart', (e) => events.push(`start ${e.path}`));
    t.server.on('transferEnd', (e) => events.push(`end ${e.path}`));
    for (const target of ['/missing.bin', '/dir', '/nodir/x.bin']) {
      await c.passive();
      const reply = await c.cmd(`RETR ${target}`);
      expect(reply.code, target).toBe(550);
      // The endpoint was spent; the session goes on.
      expect(await c.code('NOOP')).toBe(200);
    }
    // A 550 from the open is no transfer, as a 550 from a lookup was not.
    expect(events).toEqual([]);
    // Without an endpoint the lookup still comes first: 550, not 425.
    expect(await c.code('RETR /missing.bin')).toBe(550);
    expect(await c.code('RETR /five.bin')).toBe(425);
  });

  it('STOR onto a directory is 550 with or without an endpoint, and a new file still lands', async () => {
    t = await startTestServer({ local });
    const c = await t.loggedIn();
    await c.expect('MKD /dir', 257);
    const events: string[] = [];
    t.server.on('transferStart', (e) => events.push(`start ${e.path}`));
    t.server.on('incompleteUpload', (e) => events.push(`incomplete ${e.path}`));
    await c.passive();
    expect(await c.code('STOR /dir')).toBe(550);
    expect(await c.code('STOR /dir')).toBe(550);
    expect(events).toEqual([]);
    await c.passive();
    expect(await c.code('STOR /nodir/x.bin')).toBe(550);
    const ok = await c.upload('STOR /dir/new.bin', 'fresh');
    expect([ok.first.code, ok.last?.code]).toEqual([150, 226]);
    expect((await c.download('RETR /dir/new.bin')).data.toString()).toBe('fresh');
  });

  it('STOR by a user without write permission is refused before the open, with an endpoint ready', async () => {
    t = await startTestServer({ local });
    const alice = await t.loggedIn();
    await alice.put('/kept.bin', 'kept');
    const { client: bob } = await RawClient.connect(t.port);
    try {
      expect(await bob.login('bob', 'pw')).toBe(230);
      await bob.passive();
      expect(await bob.code('STOR /kept.bin')).toBe(550);
      // Permission before the endpoint, as before: 550, not 425.
      expect(await bob.code('STOR /other.bin')).toBe(550);
      expect((await alice.download('RETR /kept.bin')).data.toString()).toBe('kept');
    } finally {
      bob.close();
    }
  });
});
