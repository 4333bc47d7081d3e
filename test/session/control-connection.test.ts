import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedItem } from '../../src/parser/index.js';
import { ControlConnection } from '../../src/session/index.js';
import { waitFor } from '../support/wait-for.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => {
    if (server === undefined) resolve();
    else
      server.close(() => {
        resolve();
      });
  });
  server = undefined;
});

/** A connected pair on 127.0.0.1: the server side wrapped in a ControlConnection, and the client socket. */
async function pair(): Promise<{ control: ControlConnection; client: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  const port = await new Promise<number>((resolve) => {
    server?.listen(0, '127.0.0.1', () => {
      const address = server?.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  const client = connect(port, '127.0.0.1');
  sockets.push(client);
  const socket = await accepted;
  sockets.push(socket);
  return { control: new ControlConnection(socket), client };
}

describe('ControlConnection.onReadable', () => {
  it('is called while the decoded command is already waiting, and once more when the connection ends', async () => {
    const { control, client } = await pair();
    const seen: (DecodedItem | 'done')[] = [];
    control.onReadable(() => {
      // Synchronous: the item is there to take in the call itself.
      for (let item = control.take(); item !== undefined; item = control.take()) seen.push(item);
      if (control.done) seen.push('done');
    });
    client.write('NOOP\r\nSIZE a b\r\n');
    await waitFor(() => seen.length >= 2);
    expect(seen).toEqual([
      { kind: 'line', line: 'NOOP' },
      { kind: 'line', line: 'SIZE a b' },
    ]);
    client.end();
    await waitFor(() => seen.includes('done'));
    expect(seen).toHaveLength(3);
    expect(control.closed).toBe(true);
  });

  it('is no longer called once cleared; readable() still resolves for a reader that waits', async () => {
    const { control, client } = await pair();
    let calls = 0;
    control.onReadable(() => {
      calls++;
    });
    control.onReadable(undefined);
    const readable = control.readable();
    client.write('NOOP\r\n');
    await readable;
    expect(control.take()).toEqual({ kind: 'line', line: 'NOOP' });
    expect(calls).toBe(0);
  });
});
