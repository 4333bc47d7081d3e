import type { Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.js';
import { TransferCounters, type TransferDirection } from './transfer-counters.js';

/** A transfer a slave ran for its master (the `transfer` event of a `Slave`). */
export interface SlaveTransferEvent {
  /** `download`: the slave sent a file; `upload`: it received one. */
  readonly direction: Extract<TransferDirection, 'download' | 'upload'>;
  readonly ok: boolean;
  readonly bytes: number;
  readonly durationMs: number;
  readonly method: 'zero-copy' | 'stream' | undefined;
  /** Stable error code when `ok` is false. */
  readonly errorCode: string | undefined;
}

/** What {@link SlaveMetrics} needs of a slave (a `Slave` of the cluster is one). */
export interface SlaveMetricsSource {
  /** Subscribes `listener` to `event` (an `EventEmitter` has this). */
  on(event: 'transfer', listener: (event: SlaveTransferEvent) => void): unknown;
  /** Unsubscribes `listener` from `event`. */
  off(event: 'transfer', listener: (event: SlaveTransferEvent) => void): unknown;
  /** Transfers announced or running now. */
  readonly activeTransfers: number;
  /** `online` while connected to a master. */
  readonly state: string;
}

/** Options of {@link SlaveMetrics}. */
export interface SlaveMetricsOptions {
  /** Where the series are registered. @default a new `Registry` */
  readonly registry?: Registry | undefined;
}

/**
 * Prometheus series of a storage slave: its transfers, bytes and errors under the same names
 * as a server's (`ftpgrid_transfers_total`, ...), and whether it is connected to a master.
 *
 * @example
 * ```ts
 * const metrics = new SlaveMetrics(slave);
 * const text = await metrics.registry.metrics();
 * ```
 */
export class SlaveMetrics {
  readonly registry: Registry;
  readonly #source: SlaveMetricsSource;
  readonly #listener: (event: SlaveTransferEvent) => void;

  constructor(source: SlaveMetricsSource, options: SlaveMetricsOptions = {}) {
    const { Gauge, Registry } = promClient();
    this.registry = options.registry ?? new Registry();
    this.#source = source;
    const counters = new TransferCounters(this.registry, () => source.activeTransfers);
    new Gauge({
      name: 'ftpgrid_master_connected', help: '1 while the slave is connected to a master, else 0.', registers: [this.registry],
      collect(this: Gauge) {
        this.set(source.state === 'online' ? 1 : 0);
      },
    });
    this.#listener = (event) => {
      counters.ended(event);
    };
    source.on('transfer', this.#listener);
  }

  /** Stops counting the slave's transfers. */
  close(): void {
    this.#source.off('transfer', this.#listener);
  }
}
