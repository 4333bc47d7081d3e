import type { Counter, Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.js';
import { BoundedLabel } from './bounded-label.js';

/** Which way a transfer's bytes went, as seen from this node. */
export type TransferDirection = 'download' | 'upload' | 'listing' | 'other';

const DOWNLOAD_VERBS: ReadonlySet<string> = new Set(['RETR']);
const UPLOAD_VERBS: ReadonlySet<string> = new Set(['STOR', 'STOU', 'APPE']);
const LISTING_VERBS: ReadonlySet<string> = new Set(['LIST', 'NLST', 'MLSD']);

/** The direction of a transfer started by `verb` (a custom command's transfer is `other`). */
export function directionOfVerb(verb: string): TransferDirection {
  if (DOWNLOAD_VERBS.has(verb)) return 'download';
  if (UPLOAD_VERBS.has(verb)) return 'upload';
  if (LISTING_VERBS.has(verb)) return 'listing';
  return 'other';
}

/** One ended transfer, as the counters need it. */
export interface EndedTransfer {
  readonly direction: TransferDirection;
  readonly ok: boolean;
  readonly bytes: number;
  /** How the bytes moved; unknown for a failed transfer. */
  readonly method: string | undefined;
  readonly errorCode: string | undefined;
}

/**
 * The transfer series shared by a server (or master) and a slave, so dashboards use the same
 * names everywhere: transfers, bytes and errors, plus the transfers running now.
 */
export class TransferCounters {
  readonly #transfers: Counter<'direction' | 'method'>;
  readonly #bytes: Counter<'direction' | 'method'>;
  readonly #errors: Counter<'direction' | 'reason'>;
  readonly #active: Gauge;
  readonly #countsActive: boolean;
  readonly #reasons = new BoundedLabel(64);

  /** `activeNow` reads the running transfers at scrape time; without it, start and end events count them. */
  constructor(registry: Registry, activeNow?: () => number) {
    const { Counter, Gauge } = promClient();
    const registers = [registry];
    this.#transfers = new Counter({
      name: 'ftpgrid_transfers_total', help: 'Transfers that completed successfully, by direction and method (zero-copy, stream, relay).',
      labelNames: ['direction', 'method'], registers,
    });
    this.#bytes = new Counter({
      name: 'ftpgrid_transfer_bytes_total', help: 'Bytes moved by ended transfers (failed ones too, with method "unknown"), by direction and method.',
      labelNames: ['direction', 'method'], registers,
    });
    this.#errors = new Counter({
      name: 'ftpgrid_transfer_errors_total', help: 'Transfers that failed or were aborted, by direction and stable error code.',
      labelNames: ['direction', 'reason'], registers,
    });
    this.#countsActive = activeNow === undefined;
    this.#active = new Gauge({
      name: 'ftpgrid_transfers_active', help: 'Transfers running now.', registers,
      ...(activeNow === undefined ? {} : { collect(this: Gauge) { this.set(activeNow()); } }),
    });
  }

  /** A transfer started. */
  started(): void {
    if (this.#countsActive) this.#active.inc();
  }

  /** A transfer ended (after {@link TransferCounters.started}). */
  ended(transfer: EndedTransfer): void {
    if (this.#countsActive) this.#active.dec();
    const method = transfer.ok ? (transfer.method ?? 'unknown') : 'unknown';
    if (transfer.ok) this.#transfers.inc({ direction: transfer.direction, method });
    else this.#errors.inc({ direction: transfer.direction, reason: this.#reasons.value(transfer.errorCode ?? 'internal') });
    if (transfer.bytes > 0) this.#bytes.inc({ direction: transfer.direction, method }, transfer.bytes);
  }
}
