import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { epsvPort, startTestServer, waitFor, type TestServer } from './helpers.js';

// "Security advisories to never repeat" (ftp-servers.md) not already covered by the
// section files: bounce -> data-channel.test.ts, traversal -> paths.test.ts, failed logins ->
// auth.test.ts, server-sent ../ names -> parsing.test.ts.

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function openDescriptors(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('hostile: advisories', () => {
  it('passive ports are not predictable (CVE-2007-6738): no constant step between consecutive listeners', async () => {
    server = await startTestServer({ passivePorts: { min: 40_000, max: 49_999 } });
    const client = await server.loggedIn();
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(epsvPort((await client.cmd('EPSV')).lines.join(' ')));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(40_000);
      expect(port).toBeLessThanOrEqual(49_999);
    }
    const steps = new Set(ports.slice(1).map((port, i) => port - (ports[i] ?? 0)));
    expect(steps.size).toBeGreaterThan(10);
  });

  it('STOU attempts are bounded and names unique (CVE-2007-6740)', async () => {
    server = await startTestServer();
    const client = await server.loggedIn();
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const data = await client.passive();
      const reply = await client.cmd('STOU same');
      expect(reply.code).toBe(150);
      data.socket.end('x');
      expect((await client.reply()).code).toBe(226);
      names.add(reply.lines.join(' '));
    }
    expect(names.size).toBe(20);
    const entries: string[] = [];
    for await (const entry of server.fs.list('/')) entries.push(entry.name);
    expect(entries).toHaveLength(20);
  });

  it('QUIT during a transfer frees the descriptors (CVE-2008-7264, CVE-2009-5013)', async () => {
    server = await startTestServer({ local: true });
    const setup = await server.loggedIn();
    const up = await setup.passive();
    expect(await setup.code('STOR big.bin')).toBe(150);
    up.socket.end(Buffer.alloc(8 * 1024 * 1024, 5));
    expect((await setup.reply()).code).toBe(226);
    setup.close();
    // The baseline must not count the setup session's own socket, which closes a moment later.
    expect(await waitFor(() => server?.server.sessionCount === 0, 10_000)).toBe(true);
    const baseline = await openDescriptors();
    for (let round = 0; round < 5; round++) {
      const client = await server.loggedIn();
      const data = await client.passive();
      data.socket.pause();
      expect(await client.code('RETR big.bin')).toBe(150);
      client.send('QUIT');
      data.socket.destroy();
      client.close();
      const upload = await server.loggedIn();
      const sink = await upload.passive();
      expect(await upload.code('STOR cut.bin')).toBe(150);
      sink.socket.write(Buffer.alloc(64 * 1024));
      upload.send('QUIT');
      upload.close();
      sink.socket.destroy();
    }
    // The clients opened by loggedIn() stay in the helper's list (closed), so only server-side descriptors remain to drop.
    // Sessions end after their transfer does; wait for that (bounded), then count descriptors.
    expect(await waitFor(() => server?.server.sessionCount === 0, 10_000)).toBe(true);
    expect(await waitFor(async () => (await openDescriptors()) <= baseline + 2, 5000)).toBe(true);
  });

  it('MLST, MLSD, LIST, NLST and STAT need the list permission (CVE-2009-5012)', async () => {
    server = await startTestServer({ permissions: 'r' });
    await server.fs.mkdir('/d');
    const client = await server.loggedIn();
    for (const verb of ['MLST /d', 'MLST', 'STAT /d']) expect([verb, await client.code(verb)]).toEqual([verb, 550]);
    for (const verb of ['MLSD /d', 'LIST /d', 'NLST /d']) {
      const data = await client.passive();
      const code = await client.code(verb);
      data.socket.destroy();
      expect([verb, code]).toEqual([verb, 550]);
    }
  });
});
