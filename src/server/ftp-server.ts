import { EventEmitter } from 'node:events';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { formatReply, normalizeIp, ReplyCode } from '../parser/index.js';
import { LocalDataPlane, type DataPlane } from '../transfer/index.js';
import {
  CommandRegistry,
  FtpSession,
  createDefaultRegistry,
  silentLogger,
  type Logger,
  type SessionEventName,
  type SessionEvents,
  type SessionOptions,
} from '../session/index.js';
import { InvalidServerOptionError, checkInteger, type CloseOptions, type FtpServerOptions, type ListenOptions } from './server-options.js';
import { SessionLimiter } from './session-limiter.js';
import { LoginBan } from './login-ban.js';
import { ConnectionRate } from './connection-rate.js';
import { FtpsSupport } from './tls/ftps-support.js';

/** The events of an {@link FtpServer} (those of every session). */
export type FtpServerEvents = SessionEvents;

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
  on<K extends SessionEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this;
  /** Stops observing an event. */
  off<K extends SessionEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this;
  /** Sessions open now. */
  readonly sessionCount: number;
  /** The implicit-TLS listener's address (`tls.implicit`), or `null` when there is none. */
  implicitTlsAddress(): ServerAddress | null;
  /** Re-reads the TLS certificate files; new connections get the new certificate. Rejects with `TlsConfigError`. */
  reloadCertificates(options?: { readonly signal?: AbortSignal | undefined }): Promise<void>;
}

function validate(options: FtpServerOptions): void {
  // Checked at run time too: JavaScript callers and config files bypass the types.
  if (typeof (options.authorizer as Partial<FtpServerOptions['authorizer']> | undefined)?.authenticate !== 'function') {
    throw new InvalidServerOptionError('authorizer', 'must have an authenticate() method');
  }
  checkInteger('maxSessions', options.maxSessions, 1);
  checkInteger('maxSessionsPerIp', options.maxSessionsPerIp, 1);
  checkInteger('loginTimeoutMs', options.loginTimeoutMs, 1, 2 ** 31 - 1);
  checkInteger('idleTimeoutMs', options.idleTimeoutMs, 1, 2 ** 31 - 1);
  checkInteger('maxLoginAttempts', options.maxLoginAttempts, 1);
  checkInteger('failedLoginDelayMs', options.failedLoginDelayMs, 0, 60_000);
  checkInteger('maxLineLength', options.maxLineLength, 64, 1 << 20);
  if (options.loginBan !== undefined && options.loginBan !== false) {
    checkInteger('loginBan.maxFailures', options.loginBan.maxFailures, 1);
    checkInteger('loginBan.windowMs', options.loginBan.windowMs, 1);
    checkInteger('loginBan.banMs', options.loginBan.banMs, 1);
    checkInteger('loginBan.maxTracked', options.loginBan.maxTracked, 1);
  }
  if (options.connectionRate !== undefined && options.connectionRate !== false) {
    checkInteger('connectionRate.maxConnections', options.connectionRate.maxConnections, 1);
    checkInteger('connectionRate.windowMs', options.connectionRate.windowMs, 1);
    checkInteger('connectionRate.banMs', options.connectionRate.banMs, 1);
    checkInteger('connectionRate.maxTracked', options.connectionRate.maxTracked, 1);
  }
  if (options.commandRate !== undefined && options.commandRate !== false) {
    checkInteger('commandRate.perSecond', options.commandRate.perSecond, 1, 1_000_000);
    checkInteger('commandRate.burst', options.commandRate.burst, 1, 1_000_000);
  }
  if (options.greeting !== undefined && /[\r\n]/.test(options.greeting)) {
    throw new InvalidServerOptionError('greeting', 'must be a single line');
  }
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
  readonly #dataPlane: DataPlane;
  readonly #ownsDataPlane: boolean;
  readonly #limiter: SessionLimiter;
  readonly #ban: LoginBan | undefined;
  readonly #connectionRate: ConnectionRate | undefined;
  readonly #sessions = new Set<FtpSession>();
  readonly #sessionRuns = new Set<Promise<void>>();
  readonly #sessionOptions: SessionOptions;
  readonly #ftps: FtpsSupport | undefined;
  #server: Server | undefined;
  #nextId = 1;
  #closing = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: FtpServerOptions) {
    validate(options);
    this.#logger = options.logger ?? silentLogger;
    this.#ownsDataPlane = options.dataPlane === undefined;
    this.#dataPlane = options.dataPlane ?? new LocalDataPlane(options.dataPlaneOptions ?? {});
    this.#limiter = new SessionLimiter(options.maxSessions ?? 1000, options.maxSessionsPerIp ?? 50);
    this.#ban = options.loginBan === false ? undefined : new LoginBan(options.loginBan ?? {});
    this.#connectionRate = options.connectionRate === false ? undefined : new ConnectionRate(options.connectionRate ?? {});
    // A stalled or failed TLS handshake costs the address like a failed login (catalogue: TLS).
    this.#ftps =
      options.tls === undefined
        ? undefined
        : new FtpsSupport(options.tls, this.#logger, {
            onHandshakeFailure: (address) => {
              this.#recordFailure(address);
            },
            isRefused: (address) => this.#isBanned(address),
          });
    const commands = buildRegistry(options.commands);
    const withTls = this.#ftps?.configure(commands, options.middleware);
    this.#sessionOptions = {
      authorizer: options.authorizer,
      registry: withTls?.registry ?? commands,
      middleware: withTls?.middleware ?? options.middleware,
      logger: this.#logger,
      greeting: options.greeting,
      loginTimeoutMs: options.loginTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      maxLoginAttempts: options.maxLoginAttempts,
      failedLoginDelayMs: options.failedLoginDelayMs,
      maxLineLength: options.maxLineLength,
      tlsAvailable: options.tls !== undefined,
      commandRate: options.commandRate,
    };
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  on<K extends SessionEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off<K extends SessionEventName>(event: K, listener: (payload: FtpServerEvents[K]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

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
      server.listen({ host, port: options.port ?? 21 }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    options.signal?.addEventListener('abort', () => void this.close(), { once: true });
    const address = this.address();
    if (address === null) throw new Error('the server did not bind');
    this.#logger.info({ host: address.host, port: address.port }, 'listening');
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
    await Promise.race([Promise.all(this.#sessionRuns), delay(1000, undefined, { ref: false })]);
    for (const session of this.#sessions) session.control.destroy();
    await Promise.race([Promise.all(this.#sessionRuns), delay(1000, undefined, { ref: false })]);
    await stopped;
    await ftpsStopped;
    this.#server = undefined;
    if (this.#ownsDataPlane) await this.#dataPlane.close();
    this.#logger.info({}, 'closed');
  }

  #isBanned(address: string): boolean {
    return this.#ban?.isBanned(canonicalIp(address)) === true;
  }

  #recordFailure(address: string): void {
    const ip = canonicalIp(address);
    if (this.#ban?.recordFailure(ip) === true) this.#logger.warn({ remoteAddress: ip }, 'address banned after failed logins or TLS handshakes');
  }

  #emit<K extends SessionEventName>(event: K, payload: SessionEvents[K]): void {
    // EventEmitter throws on an unobserved 'error' event; a library must not crash its host for that.
    if (event === 'error' && this.#events.listenerCount('error') === 0) {
      this.#logger.error({ err: (payload as SessionEvents['error']).error }, 'unobserved error');
      return;
    }
    this.#events.emit(event, payload);
  }

  #accept(socket: Socket, implicitTls = false): void {
    socket.on('error', () => undefined);
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
      if (rate === 'over-rate') this.#logger.warn({ remoteAddress: ip }, 'address banned: connection rate exceeded');
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
    const session = new FtpSession(socket, this.#sessionOptions, {
      id,
      dataPlane: this.#dataPlane,
      emit: (event, payload) => {
        if (event === 'loginFailed') this.#recordFailure(ip);
        this.#emit(event, payload);
      },
    });
    // Implicit FTPS: the handshake already happened before the greeting.
    if (implicitTls) session.state.tls.control = true;
    this.#sessions.add(session);
    const run = session.run().finally(() => {
      this.#sessions.delete(session);
      this.#limiter.release(ip);
      this.#sessionRuns.delete(run);
    });
    this.#sessionRuns.add(run);
  }
}

/**
 * Creates a standalone FTP server on any {@link FtpServerOptions.authorizer} (which hands out
 * each user's FileSystem). Never installs signal handlers or exits the process.
 *
 * @example
 * ```ts
 * import { createServer } from 'ftpgrid';
 * import { LocalFileSystem, MemoryAuthorizer } from 'ftpgrid/vfs';
 *
 * const fs = new LocalFileSystem({ root: '/srv/ftp' });
 * const server = createServer({ authorizer: new MemoryAuthorizer({ users: [{ name: 'demo', password: 'demo', root: fs }] }) });
 * const { port } = await server.listen({ host: '0.0.0.0', port: 2121 });
 * // later: await server.close();
 * ```
 */
export function createServer(options: FtpServerOptions): FtpServer {
  return new StandaloneServer(options);
}
