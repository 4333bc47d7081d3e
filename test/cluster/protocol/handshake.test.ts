import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, FRAME_HEADER_BYTES, HANDSHAKE_MAX_FRAME_BYTES, PROTOCOL_VERSIONS } from '../../../src/cluster/protocol/index.js';
import { deriveKey } from '../../../src/cluster/protocol/frame-auth.js';
import {
  closedWith, codeOf, dial, OTHER_SECRET, pause, rawConnect, rawPeer, SECRET, startFrameProxy, startListener, startServer, within,
  type RawPeer, type TestListener,
} from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function listener(options: Parameters<typeof startListener>[0] = {}): Promise<TestListener> {
  const l = await startListener(options);
  cleanups.push(() => l.close());
  return l;
}

/** A fake master: sends a challenge, then answers the hello with `answer(hello)`. */
async function fakeMaster(answer: (hello: Record<string, unknown>, masterNonce: Buffer) => unknown, versions: number[] = [...PROTOCOL_VERSIONS]): Promise<number> {
  const server = await startServer((socket) => {
    const peer = rawPeer(socket);
    const masterNonce = randomBytes(32);
    peer.send(encodeMessage({ t: 'challenge', versions, nonce: masterNonce }));
    peer.nextFrame().then((frame) => {
      peer.send(encodeMessage(answer(decodeMessage(frame) as Record<string, unknown>, masterNonce)));
    }, () => undefined);
  });
  cleanups.push(() => server.close());
  return server.port;
}

describe('handshake', () => {
  it('correct secret: both sides authenticated; name, version and capabilities reported; a request works', async () => {
    const l = await listener();
    const link = await within(dial(l.port, { name: 'node-a.1', capabilities: ['tls-data'] }));
    cleanups.push(() => {
      link.close();
    });
    const { link: master, hello } = await l.nextSlave();
    expect(hello).toEqual({ name: 'node-a.1', version: 1, capabilities: ['tls-data'] });
    expect(l.refused).toEqual([]);
    link.serve({ stat: ({ path }) => Promise.resolve({ type: 'file' as const, size: path.length, mtimeMs: 5 }) });
    await expect(within(master.request('stat', { path: '/abc' }))).resolves.toEqual({ type: 'file', size: 4, mtimeMs: 5 });
  });

  it('wrong secret: the dialer rejects with auth-failed, the listener reports the refusal and the master never gets a link', async () => {
    const l = await listener();
    const dialed = dial(l.port, { secret: OTHER_SECRET });
    await expect(within(dialed)).rejects.toMatchObject({ code: 'auth-failed' });
    const refusal = await l.nextRefusal();
    expect(codeOf(refusal.error)).toBe('auth-failed');
    expect(refusal.address).toBe('127.0.0.1');
    expect(l.slaves).toEqual([]);
  });

  it('a listener with another secret is refused by the slave even when it accepts everyone (fake master)', async () => {
    // Accepts any hello and answers with a welcome computed with its own (wrong) secret.
    const port = await fakeMaster((hello, mNonce) => ({
      t: 'welcome', version: hello.version,
      proof: deriveKey(OTHER_SECRET, 'master-proof', mNonce, Buffer.from(hello.nonce as Uint8Array), hello.name as string, hello.version as number),
    }));
    await expect(within(dial(port))).rejects.toMatchObject({ code: 'auth-failed', message: 'the master could not prove it knows the secret' });
  });

  it('a fake master that echoes the slave\'s own proof back is refused (proofs are directional)', async () => {
    const port = await fakeMaster((hello) => ({ t: 'welcome', version: hello.version, proof: hello.proof }));
    await expect(within(dial(port))).rejects.toMatchObject({ code: 'auth-failed' });
  });

  it('a master with another secret refuses the slave: the slave reports the refusal as auth-failed', async () => {
    const l = await listener({ secret: OTHER_SECRET });
    await expect(within(dial(l.port))).rejects.toMatchObject({ code: 'auth-failed', message: expect.stringContaining('refused') as unknown });
    expect(codeOf((await l.nextRefusal()).error)).toBe('auth-failed');
  });

  it('a handshake frame over 4 KiB is refused with frame-too-large, before its payload is read', async () => {
    const l = await listener();
    const peer = await rawConnect(l.port);
    await peer.nextFrame(); // the challenge
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(HANDSHAKE_MAX_FRAME_BYTES + 1);
    peer.socket.write(header);
    expect(codeOf((await l.nextRefusal()).error)).toBe('frame-too-large');
    await peer.closed();
    expect(l.slaves).toEqual([]);
  });

  it('a slave refuses an oversized challenge from the master', async () => {
    const server = await startServer((socket) => {
      socket.write(Buffer.concat([Buffer.from([0, 0, 0x10, 0x01]), Buffer.alloc(64)]));
    });
    cleanups.push(() => server.close());
    await expect(within(dial(server.port))).rejects.toMatchObject({ code: 'frame-too-large' });
  });

  it('a peer that connects and says nothing is refused with timeout and disconnected', async () => {
    const l = await listener({ handshakeTimeoutMs: 200 });
    const peer = await rawConnect(l.port);
    const challenge = decodeMessage(await peer.nextFrame()) as { t: string; versions: number[]; nonce: Uint8Array };
    expect(challenge.t).toBe('challenge');
    expect(challenge.versions).toEqual([...PROTOCOL_VERSIONS]);
    expect(challenge.nonce.length).toBe(32);
    expect(codeOf((await l.nextRefusal(5000)).error)).toBe('timeout');
    await peer.closed(5000);
  });

  it('a slave whose master says nothing gives up with timeout', async () => {
    const server = await startServer(() => undefined);
    cleanups.push(() => server.close());
    await expect(within(dial(server.port, { handshakeTimeoutMs: 200 }))).rejects.toMatchObject({ code: 'timeout' });
  });

  it('an AbortSignal cancels a dial while the handshake is still running', async () => {
    let challenged: (() => void) | undefined;
    const gotChallenge = new Promise<void>((resolve) => (challenged = resolve));
    // A master that challenges and then never answers the hello.
    const server = await startServer((socket) => {
      rawPeer(socket).send(encodeMessage({ t: 'challenge', versions: [1], nonce: randomBytes(32) }));
    });
    cleanups.push(() => server.close());
    const proxy = await startFrameProxy(server.port, {
      toMaster: (frame) => {
        challenged?.();
        return [frame];
      },
    });
    cleanups.push(() => proxy.close());
    const controller = new AbortController();
    const dialed = dial(proxy.port, { handshakeTimeoutMs: 60_000, signal: controller.signal });
    const rejected = expect(within(dialed, 5000)).rejects.toMatchObject({ code: 'aborted' });
    await within(gotChallenge); // the hello went out: we are inside the handshake
    controller.abort();
    await rejected;
  });

  it('version mismatch, slave side: a master offering only unknown versions is refused with version', async () => {
    const port = await fakeMaster(() => ({ t: 'refused', reason: 'unreachable' }), [99, 100]);
    await expect(within(dial(port))).rejects.toMatchObject({ code: 'version' });
  });

  it('version mismatch, master side: a hello asking for an unknown version is refused with version and a refused frame', async () => {
    const l = await listener();
    const peer = await rawConnect(l.port);
    const challenge = decodeMessage(await peer.nextFrame()) as { nonce: Uint8Array };
    const sNonce = randomBytes(32);
    const mNonce = Buffer.from(challenge.nonce);
    peer.send(encodeMessage({ t: 'hello', name: 'future', version: 99, nonce: sNonce, proof: deriveKey(SECRET, 'slave-proof', mNonce, sNonce, 'future', 99), capabilities: [] }));
    expect(decodeMessage(await peer.nextFrame())).toEqual({ t: 'refused', reason: 'unsupported protocol version 99' });
    expect(codeOf((await l.nextRefusal()).error)).toBe('version');
    expect(l.slaves).toEqual([]);
  });

  it('a hand-built hello with the documented derivation is accepted (the spec in docs/cluster-protocol.md is what the code does)', async () => {
    const l = await listener();
    const peer = await rawConnect(l.port);
    const challenge = decodeMessage(await peer.nextFrame()) as { nonce: Uint8Array };
    const mNonce = Buffer.from(challenge.nonce);
    const sNonce = randomBytes(32);
    peer.send(encodeMessage({ t: 'hello', name: 'manual', version: 1, nonce: sNonce, proof: deriveKey(SECRET, 'slave-proof', mNonce, sNonce, 'manual', 1), capabilities: ['x'] }));
    const welcome = decodeMessage(await peer.nextFrame()) as { t: string; version: number; proof: Uint8Array };
    expect(welcome.t).toBe('welcome');
    expect(welcome.version).toBe(1);
    expect(Buffer.from(welcome.proof).equals(deriveKey(SECRET, 'master-proof', mNonce, sNonce, 'manual', 1))).toBe(true);
    expect((await l.nextSlave()).hello).toEqual({ name: 'manual', version: 1, capabilities: ['x'] });
    peer.socket.destroy();
  });

  it('a replayed handshake fails: a real slave\'s recorded hello sent to a fresh challenge is refused', async () => {
    const l = await listener();
    let recorded: Buffer | undefined;
    const proxy = await startFrameProxy(l.port, {
      toMaster: (frame, index) => {
        if (index === 0) recorded = Buffer.from(frame);
        return [frame];
      },
    });
    cleanups.push(() => proxy.close());
    const link = await within(dial(proxy.port));
    link.close();
    await l.nextSlave();
    expect(recorded).toBeDefined();
    const attacker = await rawConnect(l.port);
    await attacker.nextFrame(); // a fresh challenge
    attacker.socket.write(recorded!);
    expect(codeOf((await l.nextRefusal()).error)).toBe('auth-failed');
    expect(decodeMessage(await attacker.nextFrame())).toEqual({ t: 'refused', reason: 'authentication failed' });
    expect(l.slaves).toHaveLength(1);
  });

  it('a hello echoing the master\'s own nonce is refused', async () => {
    const l = await listener();
    const peer = await rawConnect(l.port);
    const mNonce = Buffer.from((decodeMessage(await peer.nextFrame()) as { nonce: Uint8Array }).nonce);
    peer.send(encodeMessage({ t: 'hello', name: 'mirror', version: 1, nonce: mNonce, proof: deriveKey(SECRET, 'slave-proof', mNonce, mNonce, 'mirror', 1), capabilities: [] }));
    expect(codeOf((await l.nextRefusal()).error)).toBe('auth-failed');
  });

  it.each([
    ['not MessagePack', Buffer.from([0xc1])],
    ['a wrong type', encodeMessage({ t: 'welcome', version: 1, proof: Buffer.alloc(32) })],
    ['an extra field', encodeMessage({ t: 'hello', name: 'x', version: 1, nonce: Buffer.alloc(32), proof: Buffer.alloc(32), capabilities: [], admin: true })],
    ['a short nonce', encodeMessage({ t: 'hello', name: 'x', version: 1, nonce: Buffer.alloc(8), proof: Buffer.alloc(32), capabilities: [] })],
    ['a bad name', encodeMessage({ t: 'hello', name: '../etc', version: 1, nonce: Buffer.alloc(32), proof: Buffer.alloc(32), capabilities: [] })],
  ])('a malformed hello (%s) is refused as malformed and never reaches onSlave', async (_what, payload) => {
    const l = await listener();
    const peer: RawPeer = await rawConnect(l.port);
    await peer.nextFrame();
    peer.send(payload);
    expect(codeOf((await l.nextRefusal()).error)).toBe('malformed');
    await peer.closed();
    expect(l.slaves).toEqual([]);
  });

  it('after a refusal the listener stops reading: a refused peer cannot make it buffer what it keeps sending', async () => {
    const l = await listener();
    // An attacker keeps its side open after the listener's FIN and goes on writing.
    const peer = await rawConnect(l.port, { allowHalfOpen: true });
    await peer.nextFrame();
    peer.send(encodeMessage({ t: 'hello', name: 'x', version: 1, nonce: randomBytes(32), proof: randomBytes(32), capabilities: [] }));
    await l.nextRefusal();
    // 64 MiB of small valid frames: read by the listener, they would all be queued unread.
    const frame = Buffer.concat([Buffer.from([0, 0, 0x0f, 0xa0]), Buffer.alloc(4000, 0xc0)]);
    const burst = Buffer.concat(Array.from({ length: 256 }, () => frame));
    let drained = false;
    let writes = 0;
    const pump = (): void => {
      while (writes < 64 && !peer.socket.destroyed) {
        writes += 1;
        if (!peer.socket.write(burst)) {
          peer.socket.once('drain', pump);
          return;
        }
      }
      drained = writes >= 64;
    };
    pump();
    await peer.closed(5000);
    // Only the kernel's socket buffers (a few MiB) took bytes; a listener still reading takes
    // tens of MiB in the second before it closes a refused connection.
    expect(drained).toBe(false);
    expect(writes).toBeLessThan(16);
  });

  it('a closed listener refuses new connections and cuts the ones still authenticating', async () => {
    const l = await startListener();
    const peer = await rawConnect(l.port);
    await peer.nextFrame();
    await l.close();
    await peer.closed();
    await expect(within(dial(l.port))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('the link is closed when the slave closes: the master sees it', async () => {
    const l = await listener();
    const link = await within(dial(l.port));
    const { link: master } = await l.nextSlave();
    const closing = closedWith(master);
    link.close();
    await closing;
    expect(master.closed).toBe(true);
    await pause(0);
  });
});
