import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/start-test-server.js';

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settle(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.skipIf(process.platform !== 'linux')('descriptor hygiene', () => {
  it('returns to the descriptor baseline after sessions with completed, aborted and cut transfers', async () => {
    const baseline = openDescriptors();
    const t = await startTestServer({ local: true });
    for (let round = 0; round < 4; round++) {
      const c = await t.loggedIn();
      let data = await c.passive();
      c.send(`STOR f${round}.bin`);
      expect((await c.reply()).code).toBe(150);
      data.socket.end(Buffer.alloc(50_000, round));
      expect((await c.reply()).code).toBe(226);

      data = await c.passive();
      data.socket.pause();
      c.send(`RETR f${round}.bin`);
      expect((await c.reply()).code).toBe(150);
      c.send('ABOR');
      const abortReplies = [(await c.reply()).code, (await c.reply()).code];
      expect(abortReplies[1]).toBe(226);
      data.socket.destroy();

      data = await c.passive();
      c.send(`STOR cut${round}.bin`);
      expect((await c.reply()).code).toBe(150);
      // The client vanishes with the upload open.
      c.close();
      data.socket.destroy();
      // An unused passive listener is left behind on purpose.
      const idle = await t.loggedIn();
      expect(await idle.code('EPSV')).toBe(229);
      idle.close();
    }
    await settle(() => t.server.sessionCount === 0);
    expect(t.server.sessionCount).toBe(0);
    await t.close();
    await settle(() => openDescriptors() <= baseline);
    expect(openDescriptors()).toBeLessThanOrEqual(baseline);
  });
});
