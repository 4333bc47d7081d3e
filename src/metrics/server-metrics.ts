import type { Counter, Gauge, Registry } from 'prom-client';
import { promClient } from './prom-client.js';
import type { SessionEvents } from '../session/index.js';
import { BoundedLabel } from './bounded-label.js';
import { directionOfVerb, TransferCounters } from './transfer-counters.js';

/** The events a {@link ServerMetrics} listens to: those of the sessions, plus bans. */
export interface ServerMetricsEvents extends Pick<SessionEvents, 'connect' | 'login' | 'loginFailed' | 'command' | 'reply' | 'transferStart' | 'transferEnd'> {
  /** An address was banned (`FtpServer`'s `ban` event). */
  ban: { readonly reason: string };
}

/**
 * What {@link ServerMetrics.observe} needs of a server: its events and its open sessions.
 * An `FtpServer` (standalone or a master's front end) is one.
 */
export interface ServerMetricsSource {
  /** Subscribes `listener` to `event` (an `EventEmitter` has this). */
  on<K extends keyof ServerMetricsEvents>(event: K, listener: (payload: ServerMetricsEvents[K]) => void): unknown;
  /** Unsubscribes `listener` from `event`. */
  off<K extends keyof ServerMetricsEvents>(event: K, listener: (payload: ServerMetricsEvents[K]) => void): unknown;
  /** Sessions open now. */
  readonly sessionCount: number;
}

/** Options of {@link ServerMetrics}. */
export interface ServerMetricsOptions {
  /** Where the series are registered. @default a new `Registry` of this instance (never prom-client's global one) */
  readonly registry?: Registry | undefined;
  /**
   * Whether a verb is one the server knows; others are counted as `verb="other"`, since
   * clients choose what they send. @default every verb, up to 100 distinct ones
   */
  readonly isKnownVerb?: ((verb: string) => boolean) | undefined;
}

const REPLY_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Prometheus series of an FTP server, fed by its typed events (nothing is counted inside the
 * sessions themselves): sessions, logins, commands, replies, transfers, bytes, errors and
 * bans. Each instance has its own registry, so two servers in a process never collide.
 *
 * @example
 * ```ts
 * import { ServerMetrics } from 'ftpgrid/metrics';
 *
 * const metrics = new ServerMetrics();
 * metrics.observe(server);
 * const text = await metrics.registry.metrics(); // Prometheus text exposition
 * ```
 */
export class ServerMetrics {
  /** The registry holding the series; serve `registry.metrics()` with `registry.contentType`. */
  readonly registry: Registry;
  readonly #sources = new Set<ServerMetricsSource>();
  readonly #sessionsTotal: Counter;
  readonly #logins: Counter<'result'>;
  readonly #commands: Counter<'verb'>;
  readonly #replies: Counter<'class'>;
  readonly #bans: Counter<'reason'>;
  readonly #transfers: TransferCounters;
  readonly #verbs = new BoundedLabel(100);
  readonly #isKnownVerb: (verb: string) => boolean;

  constructor(options: ServerMetricsOptions = {}) {
    const { Counter, Gauge, Registry } = promClient();
    this.registry = options.registry ?? new Registry();
    this.#isKnownVerb = options.isKnownVerb ?? (() => true);
    const registers = [this.registry];
    const sources = this.#sources;
    new Gauge({
      name: 'ftpgrid_sessions_open', help: 'FTP control sessions open now.', registers,
      collect(this: Gauge) {
        let open = 0;
        for (const source of sources) open += source.sessionCount;
        this.set(open);
      },
    });
    this.#sessionsTotal = new Counter({ name: 'ftpgrid_sessions_total', help: 'FTP control sessions that got the greeting.', registers });
    this.#logins = new Counter({ name: 'ftpgrid_logins_total', help: 'Login attempts, by result (ok, failed).', labelNames: ['result'], registers });
    this.#commands = new Counter({ name: 'ftpgrid_commands_total', help: 'Command lines received, by verb (unknown verbs count as "other").', labelNames: ['verb'], registers });
    this.#replies = new Counter({ name: 'ftpgrid_replies_total', help: 'Replies sent, by code class (1xx to 5xx).', labelNames: ['class'], registers });
    this.#bans = new Counter({ name: 'ftpgrid_bans_total', help: 'Addresses banned, by reason (login, connection-rate).', labelNames: ['reason'], registers });
    this.#transfers = new TransferCounters(this.registry);
  }

  /**
   * Counts the events of `source` from now on (several sources add up). Returns a function
   * that stops observing it.
   */
  observe(source: ServerMetricsSource): () => void {
    const listeners: { [K in keyof ServerMetricsEvents]: (payload: ServerMetricsEvents[K]) => void } = {
      connect: () => {
        this.#sessionsTotal.inc();
      },
      login: () => {
        this.#logins.inc({ result: 'ok' });
      },
      loginFailed: () => {
        this.#logins.inc({ result: 'failed' });
      },
      command: ({ verb }) => {
        this.#commands.inc({ verb: this.#isKnownVerb(verb) ? this.#verbs.value(verb) : 'other' });
      },
      reply: ({ code }) => {
        const klass = REPLY_CLASSES[Math.floor(code / 100) - 1];
        if (klass !== undefined) this.#replies.inc({ class: klass });
      },
      transferStart: () => {
        this.#transfers.started();
      },
      transferEnd: ({ verb, ok, bytes, method, errorCode }) => {
        this.#transfers.ended({ direction: directionOfVerb(verb), ok, bytes, method, errorCode });
      },
      ban: ({ reason }) => {
        this.#bans.inc({ reason });
      },
    };
    const names = Object.keys(listeners) as (keyof ServerMetricsEvents)[];
    for (const name of names) source.on(name, listeners[name] as never);
    this.#sources.add(source);
    return () => {
      for (const name of names) source.off(name, listeners[name] as never);
      this.#sources.delete(source);
    };
  }
}
