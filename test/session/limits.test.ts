import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../support/ftp-control-client.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';
import { waitFor } from '../support/wait-for.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

async function waitForEnd(client: RawClient, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!client.ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('limits and protections', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('closes with 421 when the login timeout passes, and partial lines do not reset it (manual clock)', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ loginTimeoutMs: 150, clock });
    const c = await t.client();
    c.send(Buffer.from('NOO'));
    clock.advance(149);
    // A full command proves the partial line reached the server before the timeout fires.
    c.send(Buffer.from('P\r\nNOO'));
    expect((await c.reply()).code).toBe(200);
    clock.advance(1);
    const reply = await c.reply(2000);
    expect(reply.code).toBe(421);
    expect(reply.lines[0]).toMatch(/login timeout/i);
    await waitForEnd(c);
    expect(c.ended).toBe(true);
  });

  it('closes an idle session with 421 but never while a transfer runs (manual clock)', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ idleTimeoutMs: 200, clock });
    const c = await t.loggedIn();
    const data = await c.passive();
    c.send('STOR long.bin');
    expect((await c.reply()).code).toBe(150);
    // Three idle timeouts pass while the upload runs and nothing comes on control.
    data.socket.write(randomBytes(1000));
    clock.advance(600);
    expect(await c.code('NOOP')).toBe(200);
    data.socket.end();
    expect((await c.reply()).code).toBe(226);
    clock.advance(199);
    expect(await c.code('NOOP')).toBe(200);
    clock.advance(199);
    expect(await c.code('NOOP')).toBe(200);
    clock.advance(200);
    const idle = await c.reply(2000);
    expect(idle.code).toBe(421);
    expect(idle.lines[0]).toMatch(/idle/i);
    await waitForEnd(c);
    expect(c.ended).toBe(true);
  });

  it('refuses sessions over the total and per-IP limits with 421', async () => {
    t = await startTestServer({ maxSessionsPerIp: 2 });
    await t.client();
    await t.client();
    const { client, greeting } = await RawClient.connect(t.port);
    expect(greeting.code).toBe(421);
    await waitForEnd(client);
    expect(client.ended).toBe(true);
    client.close();
    await t.close();
    t = await startTestServer({ maxSessions: 1 });
    await t.client();
    const third = await RawClient.connect(t.port);
    expect(third.greeting.code).toBe(421);
    third.client.close();
  });

  it('delays failed logins without blocking other sessions and disconnects after maxLoginAttempts (manual clock)', async () => {
    const clock = new ManualClock();
    t = await startTestServer({ failedLoginDelayMs: 500, maxLoginAttempts: 2, clock });
    const bad = await t.client();
    const failed: number[] = [];
    t.server.on('loginFailed', (event) => failed.push(event.attempts));
    expect(await bad.code('USER alice')).toBe(331);
    bad.send('PASS wrong');
    expect(await waitFor(() => failed.length === 1)).toBe(true);
    // Another session logs in while the failed one waits for the clock.
    const good = await t.client();
    expect(await good.login()).toBe(230);
    clock.advance(499);
    expect(await good.code('NOOP')).toBe(200);
    expect(bad.pendingReplies).toBe(0);
    clock.advance(1);
    expect((await bad.reply()).code).toBe(530);
    expect(await bad.code('USER alice')).toBe(331);
    bad.send('PASS wrong again');
    expect(await waitFor(() => failed.length === 2)).toBe(true);
    // The second failure waits twice as long.
    clock.advance(999);
    expect(await good.code('NOOP')).toBe(200);
    expect(bad.pendingReplies).toBe(0);
    clock.advance(1);
    expect((await bad.reply()).code).toBe(421);
    await waitForEnd(bad);
    expect(bad.ended).toBe(true);
    expect(failed).toEqual([1, 2]);
  });

  it('answers an over-long line with 500 and keeps the session usable', async () => {
    t = await startTestServer({ maxLineLength: 256 });
    const c = await t.loggedIn();
    c.send(`MKD ${'x'.repeat(1000)}`);
    expect((await c.reply()).code).toBe(500);
    expect(await c.code('NOOP')).toBe(200);
  });

  it('answers pipelined commands in order, one reply each', async () => {
    t = await startTestServer();
    const c = await t.client();
    c.send(Buffer.from('USER alice\r\nPASS secret\r\nMKD p\r\nCWD p\r\nPWD\r\nBOGUS\r\nNOOP\r\n'));
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await c.reply()).code);
    expect(codes).toEqual([331, 230, 257, 250, 257, 500, 200]);
  });

  it('survives a client vanishing mid-transfer and frees the session', async () => {
    t = await startTestServer();
    const c = await t.loggedIn();
    const data = await c.passive();
    c.send('STOR gone.bin');
    expect((await c.reply()).code).toBe(150);
    data.socket.write(randomBytes(10_000));
    c.close();
    data.socket.destroy();
    const deadline = Date.now() + 3000;
    while (t.server.sessionCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.server.sessionCount).toBe(0);
    const check = await t.loggedIn();
    expect(await check.code('SIZE gone.bin')).toBe(550);
  });

  it('survives clients that connect and reset at once (accept race)', async () => {
    t = await startTestServer();
    const port = t.port;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => {
          socket.once('connect', () => {
            socket.resetAndDestroy();
            resolve();
          });
          socket.once('error', () => {
            resolve();
          });
        });
      }),
    );
    const c = await t.loggedIn();
    expect(await c.code('NOOP')).toBe(200);
    const deadline = Date.now() + 3000;
    while (t.server.sessionCount > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.server.sessionCount).toBe(1);
  });
});
