import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `condition` every 10 ms until it holds or `timeoutMs` passes; resolves with its last
 * value, so a test asserts on the outcome instead of waiting a fixed time.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await delay(10);
  }
  return condition();
}
