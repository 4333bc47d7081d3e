import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  registerTlsCommands,
  tlsPolicyMiddleware,
  wrapServerTls,
  type CommandMiddleware,
  type CommandRegistry,
  type Logger,
  type SessionTlsSettings,
} from '../../session/index.js';
import type { AbortOptions } from '../../vfs/index.js';
import type { CertificateStore } from './certificate-store.js';
import { loadCertificates } from './load-certificates.js';
import { createTlsSessionCache } from './tls-session-cache.js';
import { TlsConfigError } from './tls-config-error.js';
import { resolveTlsPolicy, type ResolvedTlsPolicy, type TlsServerOptions } from './tls-server-options.js';

/** Implicit-TLS connections allowed in the handshake phase at once; more are cut. */
const MAX_PENDING_IMPLICIT_HANDSHAKES = 256;

/** Callbacks from the server into {@link FtpsSupport}. */
export interface FtpsHooks {
  /** Told the client address of each failed or stalled control handshake. */
  readonly onHandshakeFailure?: ((remoteAddress: string) => void) | undefined;
  /** True when an implicit-TLS connection from this address is to be dropped before its handshake. */
  readonly isRefused?: ((remoteAddress: string) => boolean) | undefined;
}

/** Receives an implicit-TLS connection once its handshake is done. */
export type ImplicitTlsAcceptor = (socket: TLSSocket) => void;

/**
 * Everything FTPS adds to a standalone server, kept in one place so the server only calls
 * a few methods: {@link FtpsSupport.configure} (handlers + policy middleware),
 * {@link FtpsSupport.start} (certificates, implicit listener), {@link FtpsSupport.stop}, and
 * {@link FtpsSupport.implicitAddress}.
 *
 * @example
 * ```ts
 * const ftps = new FtpsSupport({ selfSigned: true, implicit: { port: 990 } }, logger);
 * const { registry, middleware } = ftps.configure(defaultRegistry, userMiddleware);
 * await ftps.start((tlsSocket) => acceptSession(tlsSocket, { implicitTls: true }));
 * ```
 */
export class FtpsSupport {
  /** The validated policy. */
  readonly policy: ResolvedTlsPolicy;
  /** What the session handlers are given. */
  readonly sessionSettings: SessionTlsSettings;
  readonly #options: TlsServerOptions;
  readonly #logger: Logger;
  #store: CertificateStore | undefined;
  #implicit: Server | undefined;
  readonly #pending = new Set<Socket>();
  readonly #isRefused: ((remoteAddress: string) => boolean) | undefined;

  /** Validates the options (throws {@link TlsConfigError}); certificates are loaded by {@link FtpsSupport.start}. */
  /**
   * `hooks.onHandshakeFailure` is told the client address of every failed or stalled control
   * handshake (explicit or implicit); `hooks.isRefused` drops an implicit connection before
   * any handshake work (a banned address).
   */
  constructor(options: TlsServerOptions, logger: Logger, hooks: FtpsHooks = {}) {
    const { onHandshakeFailure } = hooks;
    this.#isRefused = hooks.isRefused;
    this.#options = options;
    this.#logger = logger;
    this.policy = resolveTlsPolicy(options);
    if (options.certificates !== undefined) this.#store = options.certificates;
    const sessionCache = createTlsSessionCache();
    this.sessionSettings = {
      sessionCache,
      secureContext: () => this.certificates.secureContext,
      sendingSecureContext: () => this.certificates.renewingSecureContext,
      requireTlsForLogin: this.policy.requireTlsForLogin,
      requireTlsForData: this.policy.requireTlsForData,
      requireDataSessionReuse: this.policy.requireDataSessionReuse,
      handshakeTimeoutMs: this.policy.handshakeTimeoutMs,
      onHandshakeFailure,
    };
  }

  /** The certificate store (after {@link FtpsSupport.start}); call `reload()` on it to renew. */
  get certificates(): CertificateStore {
    if (this.#store === undefined) throw new TlsConfigError('tls-invalid-option', 'certificates are loaded when the server starts listening');
    return this.#store;
  }

  /**
   * Returns a copy of `registry` with AUTH/PBSZ/PROT/CCC registered (the caller's registry is
   * left alone) and the middleware list with the policy checks first.
   */
  configure(registry: CommandRegistry, middleware: readonly CommandMiddleware[] = []): { registry: CommandRegistry; middleware: CommandMiddleware[] } {
    return {
      registry: registerTlsCommands(registry.clone(), this.sessionSettings),
      middleware: [tlsPolicyMiddleware(this.sessionSettings), ...middleware],
    };
  }

  /** Re-reads the certificate files (see {@link CertificateStore.reload}). */
  async reloadCertificates(options: AbortOptions = {}): Promise<void> {
    await this.certificates.reload(options);
  }

  /** Loads the certificates (once) and, when configured, starts the implicit-TLS listener. */
  async start(accept: ImplicitTlsAcceptor, options: AbortOptions = {}): Promise<void> {
    this.#store ??= await loadCertificates(this.#options, this.policy, options);
    const implicit = this.policy.implicit;
    if (implicit === undefined || this.#implicit !== undefined) return;
    const server = createNetServer({ noDelay: true }, (socket) => {
      this.#handshake(socket, accept);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: implicit.host, port: implicit.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => {
      this.#logger.error({ err: error }, 'implicit TLS listener error');
    });
    this.#implicit = server;
    const address = this.implicitAddress();
    this.#logger.info({ host: address?.host, port: address?.port }, 'listening (implicit TLS)');
  }

  /** The implicit-TLS listener's address, or `null` when there is none. */
  implicitAddress(): { host: string; port: number } | null {
    const address = this.#implicit?.address();
    if (address === undefined || address === null || typeof address === 'string') return null;
    return { host: address.address, port: address.port };
  }

  /** Stops the implicit listener and cuts handshakes in progress. Sessions are the server's. */
  async stop(): Promise<void> {
    const server = this.#implicit;
    this.#implicit = undefined;
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  #handshake(socket: Socket, accept: ImplicitTlsAcceptor): void {
    socket.on('error', () => undefined);
    if (this.#pending.size >= MAX_PENDING_IMPLICIT_HANDSHAKES) {
      this.#logger.warn({ remoteAddress: socket.remoteAddress }, 'implicit TLS: too many handshakes in progress');
      socket.destroy();
      return;
    }
    if (socket.remoteAddress !== undefined && this.#isRefused?.(socket.remoteAddress) === true) {
      socket.destroy();
      return;
    }
    this.#pending.add(socket);
    const secure = wrapServerTls(socket, {
      secureContext: this.certificates.secureContext,
      handshakeTimeoutMs: this.policy.handshakeTimeoutMs,
      sessionCache: this.sessionSettings.sessionCache,
      onHandshakeFailure: (reason) => {
        this.#pending.delete(socket);
        this.#logger.warn({ remoteAddress: socket.remoteAddress, reason }, 'implicit TLS handshake failed');
        if (socket.remoteAddress !== undefined) this.sessionSettings.onHandshakeFailure?.(socket.remoteAddress);
        secure.destroy();
      },
    });
    secure.once('secure', () => {
      this.#pending.delete(socket);
      accept(secure);
    });
    socket.once('close', () => this.#pending.delete(socket));
  }
}
