import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDataPlane, type DataPlane, type DataSessionInfo, type SessionDataChannel } from '../../src/transfer/index.js';
import { MemoryAuthorizer, MemoryFileSystem, type OpenReadOptions, type ReadHandle } from '../../src/vfs/index.js';
import { writeFile } from '../../src/testing/index.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

/**
 * A transfer's AbortController is used again for the session's next transfer only when the
 * transfer ended without an abort and left no listener on its signal (Node 20 spends about
 * 8 us creating an AbortSignal). These tests pin down what must not change with that: ABOR
 * still aborts, a signal someone still listens to is never aborted by a later transfer, and
 * an aborted controller is never used again.
 */

/** Records the signal of every openRead; optionally leaves a listener on it that is never removed. */
class RecordingFs extends MemoryFileSystem {
  readonly signals: AbortSignal[] = [];
  readonly strayCalls: number[] = [];
  leaveListener = false;

  override openRead(path: string, options: OpenReadOptions = {}): Promise<ReadHandle> {
    const signal = options.signal;
    if (signal !== undefined) {
      const index = this.signals.push(signal) - 1;
      if (this.leaveListener) {
        signal.addEventListener('abort', () => {
          this.strayCalls.push(index);
        });
      }
    }
    return super.openRead(path, options);
  }
}

/** A LocalDataPlane that records the signal the session passes to each retrieve. */
function recordingPlane(signals: AbortSignal[]): DataPlane {
  const plane = new LocalDataPlane();
  return {
    attach(session: DataSessionInfo): SessionDataChannel {
      const channel = plane.attach(session);
      const retrieve = channel.retrieve.bind(channel);
      channel.retrieve = (fs, path, options = {}) => {
        if (options.signal !== undefined) signals.push(options.signal);
        return retrieve(fs, path, options);
      };
      return channel;
    },
    close: () => plane.close(),
  };
}

describe('transfer controllers used again', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(fs: RecordingFs, sessionSignals: AbortSignal[] = []): Promise<TestServer> {
    await writeFile(fs, '/small.txt', 'hello');
    await writeFile(fs, '/big.bin', randomBytes(8 * 1024 * 1024));
    const authorizer = new MemoryAuthorizer({ users: [{ name: 'alice', password: 'secret', fs }] });
    return startTestServer({ authorizer, dataPlane: recordingPlane(sessionSignals) });
  }

  /** RETR big.bin over a connection that is never read, then ABOR: 426 then 226. */
  async function abortedDownload(c: Awaited<ReturnType<TestServer['loggedIn']>>): Promise<void> {
    const data = await c.passive();
    data.socket.pause();
    c.send('RETR big.bin');
    expect((await c.reply()).code).toBe(150);
    c.send('ABOR');
    expect((await c.reply()).code).toBe(426);
    expect((await c.reply()).code).toBe(226);
    data.socket.destroy();
  }

  it('uses a clean controller again, and ABOR still aborts it; an aborted one is never used again', async () => {
    const fs = new RecordingFs();
    const sessionSignals: AbortSignal[] = [];
    t = await start(fs, sessionSignals);
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    for (let i = 0; i < 2; i++) {
      const { last, data } = await c.download('RETR small.txt');
      expect(last?.code).toBe(226);
      expect(data.toString()).toBe('hello');
    }
    await abortedDownload(c);
    const { last } = await c.download('RETR small.txt');
    expect(last?.code).toBe(226);

    // Data channel (the signal the filesystem sees) and session (the one the data plane sees).
    for (const signals of [fs.signals, sessionSignals]) {
      expect(signals).toHaveLength(4);
      const [first, second, aborted, after] = signals;
      expect(second).toBe(first);
      expect(aborted).toBe(first);
      expect(aborted?.aborted).toBe(true);
      expect(after).not.toBe(aborted);
      expect(after?.aborted).toBe(false);
    }
  });

  it('never aborts a finished transfer\'s signal that someone still listens to', async () => {
    const fs = new RecordingFs();
    fs.leaveListener = true;
    t = await start(fs);
    const c = await t.loggedIn();
    expect(await c.code('TYPE I')).toBe(200);
    const { last } = await c.download('RETR small.txt');
    expect(last?.code).toBe(226);
    await abortedDownload(c);

    expect(fs.signals).toHaveLength(2);
    const [finished, aborted] = fs.signals;
    expect(aborted).not.toBe(finished);
    expect(finished?.aborted).toBe(false);
    expect(aborted?.aborted).toBe(true);
    // Only the aborted transfer's own listener ran.
    expect(fs.strayCalls).toEqual([1]);
  });
});
