import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/** Listens on 127.0.0.1 and resolves with the first data connection's bytes, written `send` first. */
async function activeTarget(send?: string): Promise<{ port: number; received: Promise<Buffer>; close: () => void }> {
  const sockets: Socket[] = [];
  const listener = createNetServer();
  const received = new Promise<Buffer>((resolve) => {
    listener.once('connection', (socket) => {
      sockets.push(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => {
        resolve(Buffer.concat(chunks));
      });
      socket.on('error', () => undefined);
      if (send !== undefined) socket.end(send);
    });
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as AddressInfo;
  return {
    port,
    received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      listener.close();
    },
  };
}

describe('active mode (PORT / EPRT)', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('stores with EPRT and retrieves with PORT', async () => {
    t = await startTestServer({ local: true });
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    const upload = await activeTarget('active bytes');
    expect(await c.code(`EPRT |1|127.0.0.1|${upload.port}|`)).toBe(200);
    c.send('STOR active.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    upload.close();

    const download = await activeTarget();
    const { port } = download;
    expect(await c.code(`PORT 127,0,0,1,${Math.floor(port / 256)},${port % 256}`)).toBe(200);
    c.send('RETR active.txt');
    expect((await c.reply()).code).toBe(150);
    expect((await c.reply()).code).toBe(226);
    expect((await download.received).toString()).toBe('active bytes');
    download.close();
  });

  it('gives 425 when the active target refuses the connection', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    const gone = await activeTarget();
    gone.close();
    expect(await c.code(`EPRT |1|127.0.0.1|${gone.port}|`)).toBe(200);
    // RFC 959 allows 150 before the connection attempt, then 425 when it fails.
    c.send('LIST');
    let reply = await c.reply();
    if (reply.code === 150) reply = await c.reply();
    expect(reply.code).toBe(425);
    expect(await c.code('NOOP')).toBe(200);
  });
});
