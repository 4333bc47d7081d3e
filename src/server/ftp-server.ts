import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { formatReply, normalizeIp, ReplyCode } from '../parser/index.js';
import { LocalDataPlane, systemClock, type DataPlane, type LocalDataPlaneOptions } from '../transfer/index.js';
import {
  CommandRegistry,
  FtpSession,
  createDefaultRegistry,
  silentLogger,
  type Logger,
  type SessionEventName,
  type SessionEventSink,
  type SessionEvents,
  type SessionOptions,
} from '../session/index.js';
import { DEFAULT_PORT, SERVER_DEFAULTS, InvalidServerOptionError, type CloseOptions, type FtpServerOptions, type ListenOptions } from './server-options.js';
import { DATA_PLANE_KEYS, optionNamed, validateServerOptions } from './validate-options.js';
import { TlsConfigError } from './tls/tls-config-error.js';
import type { Authorizer } from '../vfs/index.js';
import { SessionLimiter } from './session-limiter.js';
import { LoginBan } from './login-ban.js';
import { ConnectionRate } from './connection-rate.js';
import { FtpsSupport } from './tls/ftps-support.js';
import { MetricsHttpServer, ServerMetrics, type MetricsOptions } from '../metrics/index.js';

/** The events of an {@link FtpServer}: those of every session, plus `listening`. */
export interface FtpServerEvents extends SessionEvents {
  /** The server is bound and accepting (after `listen()` resolves' address is known). */
  listening: ServerAddress & { readonly implicitTls: ServerAddress | null };
  /** An address was banned: too many failed logins or TLS handshakes (`login`), or connections (`connection-rate`). */
  ban: { readonly remoteAddress: string; readonly reason: BanReason };
}

/** Why an address was banned. */
export type BanReason = 'login' | 'connection-rate';

/** The name of an {@link FtpServerEvents} event. */
export type FtpServerEventName = keyof FtpServerEvents;

/** A bound address. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** A standalone FTP server: control connections plus the data plane. */
export interface FtpServer {
  /** Starts listening; resolves with the bound address. */
  listen(options?: ListenOptions): Promise<ServerAddress>;
  /** The bound address, or `null` when not listening. */
  address(): ServerAddress | null;
  /**
   * Stops accepting, lets running transfers finish for up to `graceMs`, then says 421 to
   * every session and closes it. Closes the data plane if the server created it.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Observes an event. */
  on<K extends FtpServerEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this;
  /** Stops observing an event. */
  off<K extends FtpServerEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this;
  /** Sessions open now. */
  readonly sessionCount: number;
  /**
   * True when binary transfers of files with a descriptor use sendfile/splice; false when
   * they stream (no addon, `zeroCopy: 'off'`, or a data plane without zero-copy). When it is
   * false although `zeroCopy` is `'auto'`, the server logs it once through `logger` (info).
   */
  readonly zeroCopyActive: boolean;
  /** The implicit-TLS listener's address (`tls.implicit`), or `null` when there is none. */
  implicitTlsAddress(): ServerAddress | null;
  /** The Prometheus series of this server (option `metrics`), or `undefined` without that option. */
  readonly metrics: ServerMetrics | undefined;
  /** The metrics HTTP listener's address (`metrics.listen`), or `null` when there is none. */
  metricsAddress(): ServerAddress | null;
  /** Re-reads the TLS certificate files; new connections get the new certificate. Rejects with `TlsConfigError`. */
  reloadCertificates(options?: { readonly signal?: AbortSignal | undefined }): Promise<void>;
}

/** Keeps a socket error from becoming an uncaught exception (one function for every socket: no closure each). */
function ignoreSocketError(): void {
  // The session (or the refusal path) learns of the error through 'close'.
}

/** The canonical form of a peer address; the raw form when it does not parse (it still counts toward limits). */
function canonicalIp(address: string): string {
  try {
    return normalizeIp(address);
  } catch {
    return address;
  }
}

function buildRegistry(commands: FtpServerOptions['commands']): CommandRegistry {
  if (commands instanceof CommandRegistry) return commands;
  const registry = createDefaultRegistry();
  commands?.(registry);
  return registry;
}

class StandaloneServer implements FtpServer {
  readonly #logger: Logger;
  readonly #events = new EventEmitter();
  /** Events with at least one listener. */
  readonly #observed = new Set<string>();
  readonly #dataPlane: DataPlane;
  readonly #ownsDataPlane: boolean;
  readonly #limiter: SessionLimiter;
  readonly #ban: LoginBan | undefined;
  readonly #connectionRate: ConnectionRate | undefined;
  readonly #sessions = new Set<FtpSession>();
  /** Called when the last session has ended (see {@link StandaloneServer.#sessionsEnded}). */
  readonly #whenNoSessions: (() => void)[] = [];
  readonly #sessionOptions: SessionOptions;
  readonly #ftps: FtpsSupport | undefined;
  readonly #zeroCopyActive: boolean;
  readonly metrics: ServerMetrics | undefined;
  readonly #metricsListen: MetricsOptions['listen'];
  #metricsHttp: MetricsHttpServer | undefined;
  #server: Server | undefined;
  #nextId = 1;
  #closing = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: FtpServerOptions) {
    validateServerOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#ownsDataPlane = options.dataPlane === undefined;
    this.#dataPlane = options.dataPlane ?? buildDataPlane(options, this.#logger);
    this.#zeroCopyActive = (this.#dataPlane as { readonly zeroCopyAvailable?: unknown }).zeroCopyAvailable === true;
    const zeroCopySetting = dataPlaneOptionsOf(options).zeroCopy ?? 'auto';
    if (!this.#zeroCopyActive && this.#ownsDataPlane && zeroCopySetting === 'auto') {
      // The README promises this line: an embedded server must say why transfers stream.
      this.#logger.info({ zeroCopy: false }, 'zero-copy unavailable (native addon not built or not loadable): transfers use streams');
    }
    const d = SERVER_DEFAULTS;
    const clock = options.clock ?? systemClock;
    const now = (): number => clock.now();
    this.#limiter = new SessionLimiter(options.maxSessions ?? d.maxSessions, options.maxSessionsPerIp ?? d.maxSessionsPerIp);
    this.#ban = options.loginBan === false ? undefined : new LoginBan({ ...d.loginBan, ...options.loginBan }, now);
    this.#connectionRate = options.connectionRate === false ? undefined : new ConnectionRate({ ...d.connectionRate, ...options.connectionRate }, now);
    // A stalled or failed TLS handshake costs the address like a failed login (catalogue: TLS).
    this.#ftps = options.tls === undefined ? undefined : this.#createFtps(options.tls);
    const commands = buildRegistry(options.commands);
    const withTls = this.#ftps?.configure(commands, options.middleware);
    this.#sessionOptions = {
      authorizer: authorizerOf(options),
      registry: withTls?.registry ?? commands,
      middleware: withTls?.middleware ?? options.middleware,
      logger: this.#logger,
      greeting: options.greeting ?? d.greeting,
      loginTimeoutMs: options.loginTimeoutMs ?? d.loginTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? d.idleTimeoutMs,
      maxLoginAttempts: options.maxLoginAttempts ?? d.maxLoginAttempts,
      failedLoginDelayMs: options.failedLoginDelayMs ?? d.failedLoginDelayMs,
      maxLineLength: options.maxLineLength ?? d.maxLineLength,
      tlsAvailable: options.tls !== undefined,
      commandRate: options.commandRate === false ? false : { ...d.commandRate, ...options.commandRate },
      clock,
    };
    const registry = this.#sessionOptions.registry;
    this.metrics = options.metrics === undefined ? undefined : new ServerMetrics({ registry: options.metrics.registry, isKnownVerb: (verb) => registry.spec(verb) !== undefined });
    this.metrics?.observe(this);
    this.#metricsListen = options.metrics?.listen;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  get zeroCopyActive(): boolean {
    return this.#zeroCopyActive;
  }

  #createFtps(tls: NonNullable<FtpServerOptions['tls']>): FtpsSupport {
    try {
      return new FtpsSupport(tls, this.#logger, {
        onHandshakeFailure: (address) => {
          this.#recordFailure(address);
        },
        isRefused: (address) => this.#isBanned(address),
      });
    } catch (error) {
      if (error instanceof TlsConfigError) throw new InvalidServerOptionError('tls', error.message, { cause: error });
      throw error;
    }
  }

  on<K extends FtpServerEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this {
    this.#events.on(event, listener);
    this.#observed.add(event);
    return this;
  }

  off<K extends FtpServerEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this {
    this.#events.off(event, listener);
    if (this.#events.listenerCount(event) === 0) this.#observed.delete(event);
    return this;
  }

  /**
   * Whether sessions must build `event`: someone listens, or the server needs it itself
   * (failed logins feed the ban; unobserved errors are logged).
   */
  readonly #observes = (event: SessionEventName): boolean => event === 'loginFailed' || event === 'error' || this.#observed.has(event);

  /** One sink for every session (the address is in the payload): no closure per session. */
  readonly #sessionSink: SessionEventSink = (event, payload) => {
    if (event === 'loginFailed') this.#recordFailure(payload.remoteAddress ?? '');
    this.#emit<SessionEventName>(event, payload);
  };

  async listen(options: ListenOptions = {}): Promise<ServerAddress> {
    if (this.#server !== undefined) throw new Error('the server is already listening');
    if (this.#closing) throw new Error('the server is closed');
    await this.#ftps?.start(
      (tlsSocket) => {
        this.#accept(tlsSocket, true);
      },
      { signal: options.signal },
    );
    const server = createNetServer({ noDelay: true }, (socket) => {
      this.#accept(socket);
    });
    server.on('error', (error) => {
      this.#emit('error', { error });
    });
    this.#server = server;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        this.#server = undefined;
        void this.#ftps?.stop();
        reject(error);
      };
      server.once('error', onError);
      server.listen({ host, port: options.port ?? DEFAULT_PORT }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    if (this.metrics !== undefined && this.#metricsListen !== undefined) {
      const http = new MetricsHttpServer({ registry: this.metrics.registry });
      try {
        await http.listen(this.#metricsListen);
      } catch (error) {
        this.#server = undefined;
        await Promise.all([new Promise((resolve) => server.close(resolve)), this.#ftps?.stop()]);
        throw error;
      }
      this.#metricsHttp = http;
      this.#logger.info({ ...http.address() }, 'metrics listening');
    }
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
    const address = this.address();
    if (address === null) throw new Error('the server did not bind');
    this.#logger.info({ host: address.host, port: address.port }, 'listening');
    this.#emit('listening', { ...address, implicitTls: this.implicitTlsAddress() });
    return address;
  }

  address(): ServerAddress | null {
    const address = this.#server?.address();
    if (address === undefined || address === null || typeof address === 'string') return null;
    return { host: address.address, port: address.port };
  }

  implicitTlsAddress(): ServerAddress | null {
    return this.#ftps?.implicitAddress() ?? null;
  }

  metricsAddress(): ServerAddress | null {
    return this.#metricsHttp?.address() ?? null;
  }

  async reloadCertificates(options: { readonly signal?: AbortSignal | undefined } = {}): Promise<void> {
    if (this.#ftps === undefined) throw new Error('the server has no tls option');
    await this.#ftps.reloadCertificates(options);
  }

  close(options: CloseOptions = {}): Promise<void> {
    // Idempotent: a second call (say SIGINT then SIGTERM) waits for the first.
    this.#closePromise ??= this.#close(options);
    return this.#closePromise;
  }

  async #close(options: CloseOptions): Promise<void> {
    this.#closing = true;
    const ftpsStopped = this.#ftps?.stop();
    const server = this.#server;
    const stopped = server === undefined ? Promise.resolve() : new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          });
    const graceMs = options.graceMs ?? 10_000;
    await Promise.all([...this.#sessions].map((session) => session.shutdown(graceMs)));
    // Sessions whose peer does not read get a short moment to flush, then are cut.
    await Promise.race([this.#sessionsEnded(), delay(1000, undefined, { ref: false })]);
    for (const session of this.#sessions) session.control.destroy();
    await Promise.race([this.#sessionsEnded(), delay(1000, undefined, { ref: false })]);
    await stopped;
    await ftpsStopped;
    await this.#metricsHttp?.close();
    this.#server = undefined;
    if (this.#ownsDataPlane) await this.#dataPlane.close();
    this.#logger.info({}, 'closed');
  }

  /** Resolves once no session is left (the server accepts none while closing). */
  #sessionsEnded(): Promise<void> {
    if (this.#sessions.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#whenNoSessions.push(resolve);
    });
  }

  /**
   * A session is over: one function for every session (each started with `start()`, not
   * `run()`, so an idle session holds no promise chain). The limiter's key is the session's
   * peer address, normalised as {@link canonicalIp} does.
   */
  readonly #sessionEnded = (session: FtpSession): void => {
    if (!this.#sessions.delete(session)) return;
    this.#limiter.release(session.peer.host);
    if (this.#sessions.size === 0) for (const resolve of this.#whenNoSessions.splice(0)) resolve();
  };

  #isBanned(address: string): boolean {
    return this.#ban?.isBanned(canonicalIp(address)) === true;
  }

  #recordFailure(address: string): void {
    const ip = canonicalIp(address);
    if (this.#ban?.recordFailure(ip) !== true) return;
    this.#logger.warn({ remoteAddress: ip }, 'address banned after failed logins or TLS handshakes');
    this.#emit('ban', { remoteAddress: ip, reason: 'login' });
  }

  #emit<K extends FtpServerEventName>(event: K, payload: FtpServerEvents[K]): void {
    // EventEmitter throws on an unobserved 'error' event; a library must not crash its host for that.
    if (event === 'error' && this.#events.listenerCount('error') === 0) {
      this.#logger.error({ err: (payload as SessionEvents['error']).error }, 'unobserved error');
      return;
    }
    this.#events.emit(event, payload);
  }

  #accept(socket: Socket, implicitTls = false): void {
    socket.on('error', ignoreSocketError);
    const remote = socket.remoteAddress;
    // A client that connected and reset at once has no address any more (accept() race).
    if (remote === undefined) {
      socket.destroy();
      return;
    }
    const ip = canonicalIp(remote);
    if (this.#closing) {
      socket.end(formatReply(ReplyCode.ServiceNotAvailable, 'Service not available, server shutting down'));
      return;
    }
    if (this.#ban?.isBanned(ip) === true) {
      this.#logger.warn({ remoteAddress: ip }, 'session refused: address banned after failed logins');
      socket.end(formatReply(ReplyCode.ServiceNotAvailable, 'Too many failed logins from your address, try again later'));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    const rate = this.#connectionRate?.admit(ip) ?? 'ok';
    if (rate !== 'ok') {
      if (rate === 'over-rate') {
        this.#logger.warn({ remoteAddress: ip }, 'address banned: connection rate exceeded');
        this.#emit('ban', { remoteAddress: ip, reason: 'connection-rate' });
      }
      socket.end(formatReply(ReplyCode.ServiceNotAvailable, 'Too many connections from your address, try again later'));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    const slot = this.#limiter.acquire(ip);
    if (slot !== 'ok') {
      this.#logger.warn({ remoteAddress: ip, limit: slot }, 'session refused: limit reached');
      socket.end(formatReply(ReplyCode.ServiceNotAvailable, slot === 'total' ? 'Too many users, try again later' : 'Too many connections from your address'));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    const id = `s${this.#nextId++}`;
    const session = new FtpSession(socket, this.#sessionOptions, { id, dataPlane: this.#dataPlane, emit: this.#sessionSink, observes: this.#observes, ended: this.#sessionEnded });
    // The control connection listens for errors now (and keeps listening after AUTH TLS
    // replaced the socket): two listeners would cost the socket an array.
    socket.off('error', ignoreSocketError);
    // Implicit FTPS: the handshake already happened before the greeting.
    if (implicitTls) session.state.tls.control = true;
    this.#sessions.add(session);
    session.start();
  }
}

/** The default data plane's options: the flat settings, over the deprecated `dataPlaneOptions`. */
function dataPlaneOptionsOf(options: FtpServerOptions): LocalDataPlaneOptions {
  const flat: Record<string, unknown> = {};
  for (const key of DATA_PLANE_KEYS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) flat[key] = value;
  }
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- still honoured for existing code
  return { ...options.dataPlaneOptions, ...(flat as LocalDataPlaneOptions) };
}

function buildDataPlane(options: FtpServerOptions, logger: Logger): DataPlane {
  try {
    return new LocalDataPlane({ logger, ...dataPlaneOptionsOf(options), ...(options.clock === undefined ? {} : { clock: options.clock }) });
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new InvalidServerOptionError(optionNamed(error.message, 'dataPlaneOptions'), error.message, { cause: error });
    }
    throw error;
  }
}

/** The authorizer, or one wrapping the `authenticate` hook (validation guarantees one of them). */
function authorizerOf(options: FtpServerOptions): Authorizer {
  if (options.authorizer !== undefined) return options.authorizer;
  const hook = options.authenticate;
  if (hook === undefined) throw new InvalidServerOptionError('authorizer', 'give exactly one of authorizer and authenticate');
  return { authenticate: (user, password, peer, abort) => hook(user, password, peer, { signal: abort?.signal }) };
}

/**
 * Creates a standalone FTP server on any {@link FtpServerOptions.authorizer} (which hands out
 * each user's FileSystem) or `authenticate` function. Never installs signal handlers or
 * exits the process. Throws {@link InvalidServerOptionError} for a bad or unknown option.
 *
 * @example
 * ```ts
 * import { createServer } from 'ftpgrid';
 * import { LocalFileSystem, MemoryAuthorizer } from 'ftpgrid/vfs';
 *
 * const fs = new LocalFileSystem({ root: '/srv/ftp' });
 * const server = createServer({
 *   authorizer: new MemoryAuthorizer({ users: [{ name: 'demo', password: 'demo', fs }] }),
 *   passivePorts: { min: 50000, max: 50100 },
 * });
 * server.on('listening', ({ host, port }) => console.log(`ftp://${host}:${port}/`));
 * await server.listen({ host: '0.0.0.0', port: 2121 });
 * // later: await server.close();
 * ```
 */
export function createServer(options: FtpServerOptions): FtpServer {
  return new StandaloneServer(options);
}
