import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, encodeMessage, type SlaveLink } from '../../../src/cluster/protocol/index.js';
import { FrameAuthenticator, FRAME_TAG_BYTES } from '../../../src/cluster/protocol/frame-auth.js';
import { closedWith, codeOf, dial, startFrameProxy, startListener, within, type FrameFilter } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const heartbeat = (transfers: number) => ({ load: 0, transfers });

/**
 * A slave and a master joined through a frame proxy. Slave -> master frame 0 is the hello;
 * 1, 2, 3 are the three heartbeats the slave sends. Master -> slave: 0 challenge, 1 welcome.
 */
async function throughProxy(filters: { toMaster?: FrameFilter; toSlave?: FrameFilter }) {
  const l = await startListener();
  cleanups.push(() => l.close());
  const proxy = await startFrameProxy(l.port, filters);
  cleanups.push(() => proxy.close());
  const slave = await within(dial(proxy.port));
  cleanups.push(() => {
    slave.close();
  });
  const { link: master } = await l.nextSlave();
  const received: number[] = [];
  master.listen({ heartbeat: (d) => received.push(d.transfers) });
  return { master, slave, received };
}

async function expectAuthFailure(master: SlaveLink, send: () => void): Promise<void> {
  const closing = closedWith(master);
  send();
  expect(codeOf(await closing)).toBe('auth-failed');
}

describe('per-frame authentication', () => {
  it('untouched frames through the proxy arrive in order (control)', async () => {
    const { master, slave, received } = await throughProxy({});
    for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    slave.serve({ stat: () => Promise.resolve({ type: 'dir' as const, size: 0, mtimeMs: 1 }) });
    await expect(within(master.request('stat', { path: '/' }))).resolves.toEqual({ type: 'dir', size: 0, mtimeMs: 1 });
    expect(received).toEqual([1, 2, 3]);
    expect(master.closed).toBe(false);
  });

  it.each([
    ['a payload byte', 0],
    ['a tag byte', -1],
  ])('a tampered frame (%s flipped) closes the connection with auth-failed and is not delivered', async (_what, where) => {
    const { master, slave, received } = await throughProxy({
      toMaster: (frame, index) => {
        if (index !== 2) return [frame];
        const altered = Buffer.from(frame);
        const at = where >= 0 ? 4 + where : altered.length - 1;
        altered[at] = altered[at]! ^ 0x01;
        return [altered];
      },
    });
    await expectAuthFailure(master, () => {
      for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    });
    expect(received).toEqual([1]);
  });

  it('an injected frame (valid MessagePack, made-up tag) closes the connection with auth-failed', async () => {
    const forged = encodeFrame(Buffer.concat([encodeMessage({ t: 'evt', ev: 'heartbeat', d: heartbeat(99) }), randomBytes(FRAME_TAG_BYTES)]));
    const { master, slave, received } = await throughProxy({ toMaster: (frame, index) => (index === 1 ? [frame, forged] : [frame]) });
    await expectAuthFailure(master, () => {
      for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    });
    expect(received).toEqual([1]);
  });

  it('an injected frame tagged with a key from the nonces alone (no secret) is refused', async () => {
    // What an attacker who saw both nonces but not the secret could compute.
    const guess = new FrameAuthenticator(randomBytes(32)).seal(encodeMessage({ t: 'evt', ev: 'heartbeat', d: heartbeat(99) }));
    const { master, slave, received } = await throughProxy({ toMaster: (frame, index) => (index === 1 ? [encodeFrame(guess)] : [frame]) });
    await expectAuthFailure(master, () => {
      slave.notify('heartbeat', heartbeat(1));
    });
    expect(received).toEqual([]);
  });

  it('a replayed frame (an earlier frame\'s exact bytes sent again) closes the connection with auth-failed', async () => {
    let first: Buffer | undefined;
    const { master, slave, received } = await throughProxy({
      toMaster: (frame, index) => {
        if (index === 1) first = frame;
        return index === 2 ? [frame, first!] : [frame];
      },
    });
    await expectAuthFailure(master, () => {
      for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    });
    expect(received).toEqual([1, 2]);
  });

  it('reordered frames close the connection with auth-failed', async () => {
    let held: Buffer | undefined;
    const { master, slave, received } = await throughProxy({
      toMaster: (frame, index) => {
        if (index === 1) {
          held = frame;
          return [];
        }
        return index === 2 ? [frame, held!] : [frame];
      },
    });
    await expectAuthFailure(master, () => {
      for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    });
    expect(received).toEqual([]);
  });

  it('a dropped frame is detected at the next one (the sequence numbers no longer match)', async () => {
    const { master, slave, received } = await throughProxy({ toMaster: (frame, index) => (index === 2 ? [] : [frame]) });
    await expectAuthFailure(master, () => {
      for (const n of [1, 2, 3]) slave.notify('heartbeat', heartbeat(n));
    });
    expect(received).toEqual([1]);
  });

  it('a frame from the master -> slave direction reflected back to the master is refused (keys are per direction)', async () => {
    let fromMaster: Buffer | undefined;
    const { master, slave } = await throughProxy({
      toSlave: (frame, index) => {
        if (index === 2) fromMaster = frame;
        return [frame];
      },
      toMaster: (frame, index) => (index === 1 && fromMaster !== undefined ? [fromMaster] : [frame]),
    });
    slave.serve({ stat: () => Promise.resolve({ type: 'dir' as const, size: 0, mtimeMs: 1 }) });
    const closing = closedWith(master);
    // The master's request (master -> slave frame 2) is answered; the proxy swaps the answer
    // (slave -> master frame 1) for the master's own request frame.
    const request = master.request('stat', { path: '/' });
    const rejected = expect(within(request)).rejects.toMatchObject({ code: 'closed' });
    expect(codeOf(await closing)).toBe('auth-failed');
    await rejected;
  });

  it('a tampered frame towards the slave closes the slave\'s side with auth-failed', async () => {
    const { master, slave } = await throughProxy({
      toSlave: (frame, index) => {
        if (index !== 2) return [frame];
        const altered = Buffer.from(frame);
        altered[5] = altered[5]! ^ 0x80;
        return [altered];
      },
    });
    let ran = false;
    slave.serve({
      stat: () => {
        ran = true;
        return Promise.resolve({ type: 'dir' as const, size: 0, mtimeMs: 1 });
      },
    });
    const closing = closedWith(slave);
    const request = expect(within(master.request('stat', { path: '/' }))).rejects.toMatchObject({ code: 'closed' });
    expect(codeOf(await closing)).toBe('auth-failed');
    await request;
    expect(ran).toBe(false);
  });
});
