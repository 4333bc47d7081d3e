/** The signals that ask the CLI to stop gracefully. */
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A signal that asks the CLI to stop. */
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

/**
 * Resolves with the first SIGINT/SIGTERM; a second one calls `onSecond` (which usually exits
 * at once). Install it before listening, so a signal during start-up still stops gracefully.
 */
export function waitForShutdownSignal(onSecond: (signal: ShutdownSignal) => void): Promise<ShutdownSignal> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: ShutdownSignal): void => {
      if (received) {
        onSecond(signal);
        return;
      }
      received = true;
      resolve(signal);
    };
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, handler);
  });
}
