/** One number a component can report, read at scrape time. */
export interface GaugeSource {
  /** The series name without the `ftpgrid_` prefix, snake_case: `queued_operations` becomes `ftpgrid_queued_operations`. */
  readonly name: string;
  /** The `# HELP` line: what is counted, in which unit. */
  readonly help: string;
  /** The current value; called at each scrape, so it must be cheap and must not throw. */
  readonly read: () => number;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The extension point for gauges whose source lives outside the metrics module: a component
 * (the cluster's operation queue, the replication scheduler) registers a reader here, and
 * every metrics collector that watches this list exposes it, including collectors created
 * before the registration. A gauge with no source is simply absent from the exposition:
 * nothing reports a made-up zero.
 *
 * @example
 * ```ts
 * master.cluster.gauges.register({
 *   name: 'queued_operations',
 *   help: 'Operations waiting for an offline slave.',
 *   read: () => queue.size,
 * });
 * ```
 */
export class GaugeSources {
  readonly #sources = new Map<string, GaugeSource>();
  readonly #watchers = new Set<(source: GaugeSource) => void>();

  /** Adds a gauge. Throws `RangeError` for a malformed or duplicate name. */
  register(source: GaugeSource): void {
    if (!NAME.test(source.name)) throw new RangeError(`gauge name ${JSON.stringify(source.name)}: lower-case letters, digits and "_", starting with a letter`);
    if (this.#sources.has(source.name)) throw new RangeError(`gauge ${source.name} is registered already`);
    this.#sources.set(source.name, source);
    for (const watcher of this.#watchers) watcher(source);
  }

  /** The gauges registered so far. */
  list(): GaugeSource[] {
    return [...this.#sources.values()];
  }

  /** Calls `watcher` for every gauge registered so far and every later one; returns a function that stops it. */
  watch(watcher: (source: GaugeSource) => void): () => void {
    for (const source of this.#sources.values()) watcher(source);
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }
}
