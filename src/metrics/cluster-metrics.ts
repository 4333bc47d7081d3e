import type { Counter, Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.js';
import type { GaugeSource, GaugeSources } from './gauge-sources.js';

/** The slave states the master knows; each gets its `ftpgrid_slaves` series, zero or not. */
const SLAVE_STATES = ['connecting', 'remerging', 'online', 'offline'] as const;

/** What the metrics and the status page read of one slave (a `SlaveStatus` of the cluster is one). */
export interface SlaveSnapshot {
  readonly name: string;
  readonly state: string;
  readonly freeBytes: number | undefined;
  readonly totalBytes: number | undefined;
  /** One-minute load average the slave reported. */
  readonly load: number;
  /** Transfers announced or running on it. */
  readonly transfers: number;
}

/** What {@link ClusterMetrics} reads of a cluster master (a `ClusterMaster` is one). */
export interface ClusterMetricsSource {
  /** Every known slave. */
  slaves(): readonly SlaveSnapshot[];
  /** Bytes the master relayed between clients and slaves since it started. */
  readonly relayedBytes: number;
  /** Extra gauges other cluster parts register (queued operations, replication backlog). */
  readonly gauges?: GaugeSources | undefined;
}

/** Options of {@link ClusterMetrics}. */
export interface ClusterMetricsOptions {
  /** Where the series are registered. @default a new `Registry` */
  readonly registry?: Registry | undefined;
}

/**
 * Prometheus series of a cluster master, read from it at scrape time: slaves by state, free
 * and total bytes, load and transfers per slave, relayed bytes, and every gauge registered in
 * the master's {@link GaugeSources}. Use it beside a {@link ServerMetrics} of the master's FTP
 * front end, on the same registry.
 *
 * @example
 * ```ts
 * const server = new ServerMetrics();
 * server.observe(master.ftp);
 * new ClusterMetrics(master.cluster, { registry: server.registry });
 * ```
 */
export class ClusterMetrics {
  readonly registry: Registry;
  readonly #stopWatching: (() => void) | undefined;

  constructor(source: ClusterMetricsSource, options: ClusterMetricsOptions = {}) {
    const { Counter, Gauge, Registry } = promClient();
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    new Gauge({
      name: 'ftpgrid_slaves', help: 'Slaves known to the master, by state.', labelNames: ['state'], registers,
      collect(this: Gauge<'state'>) {
        const counts = new Map<string, number>(SLAVE_STATES.map((state) => [state, 0]));
        for (const slave of source.slaves()) counts.set(slave.state, (counts.get(slave.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    const perSlave = (name: string, help: string, read: (slave: SlaveSnapshot) => number | undefined): void => {
      new Gauge({
        name, help, labelNames: ['slave'], registers,
        collect(this: Gauge<'slave'>) {
          // A slave that stopped reporting a value (or was forgotten) must not keep its old one.
          this.reset();
          for (const slave of source.slaves()) {
            const value = read(slave);
            if (value !== undefined) this.set({ slave: slave.name }, value);
          }
        },
      });
    };
    perSlave('ftpgrid_slave_free_bytes', 'Free bytes a slave reported in its last heartbeat (absent until it reports).', (s) => s.freeBytes);
    perSlave('ftpgrid_slave_total_bytes', 'Total bytes of a slave\'s storage, as it reported (absent until it reports).', (s) => s.totalBytes);
    perSlave('ftpgrid_slave_load', 'One-minute load average a slave reported.', (s) => s.load);
    perSlave('ftpgrid_slave_transfers', 'Transfers announced or running on a slave.', (s) => s.transfers);
    new Counter({
      name: 'ftpgrid_relayed_bytes_total', help: 'Bytes the master relayed between clients and slaves (transfers a slave could not carry directly).', registers,
      collect(this: Counter) {
        this.reset();
        this.inc(source.relayedBytes);
      },
    });
    this.#stopWatching = source.gauges?.watch((gauge: GaugeSource) => {
      new Gauge({
        name: `ftpgrid_${gauge.name}`, help: gauge.help, registers,
        collect(this: Gauge) {
          this.set(gauge.read());
        },
      });
    });
  }

  /** Stops adding gauges registered later in the master's {@link GaugeSources}. */
  close(): void {
    this.#stopWatching?.();
  }
}
