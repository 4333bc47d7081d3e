/**
 * Options accepted by every asynchronous operation in ftpgrid.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await fs.stat('/a.txt', { signal: controller.signal });
 * ```
 */
export interface AbortOptions {
  /** Aborts the operation; it then rejects with an `AbortError`-like error. */
  readonly signal?: AbortSignal | undefined;
}
