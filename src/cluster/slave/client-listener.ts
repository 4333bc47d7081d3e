import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Logger } from '../../session/index.js';
import type { FileSystem } from '../../vfs/index.js';
import { acceptSlaveClient, type ClientLinkOptions, type SlaveClientLink, type Ticket, type TransferOutcome } from '../protocol/index.js';
import { clientOperations } from './client-operations.js';
import { UsedTickets } from './client-used-tickets.js';

/** Options of a slave's client listener (see `SlaveOptions.clientListen`). */
export interface ClientListenerOptions {
  readonly fs: FileSystem;
  readonly name: string;
  readonly ticketKey: Buffer;
  /** Has the master record a finished upload (`path`: one stored under a grant); rejects when it refuses or is unreachable. */
  readonly commit: (ticket: Ticket, outcome: TransferOutcome, signal: AbortSignal, path?: string) => Promise<void>;
  readonly logger: Logger;
  /** TLS for client connections (certificate and key). @default plain TCP */
  readonly tls?: TlsOptions | undefined;
  /** The TLS handshake must finish within this. @default 10000 */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Client connections at once; more are closed at once. @default 1024 */
  readonly maxConnections?: number | undefined;
  /** Frame limits and timeouts. @default see {@link ClientLinkOptions} */
  readonly link?: ClientLinkOptions | undefined;
}

/** The listener DFS clients connect to, to move bytes straight to and from this slave. */
export class SlaveClientListener {
  readonly #options: ClientListenerOptions;
  readonly #server: Server;
  readonly #links = new Set<SlaveClientLink>();
  readonly #used = new UsedTickets(1_000_000);

  constructor(options: ClientListenerOptions) {
    this.#options = options;
    const accept = (socket: Socket): void => {
      this.#accept(socket);
    };
    if (options.tls === undefined) {
      this.#server = createServer(accept);
    } else {
      this.#server = createTlsServer({ handshakeTimeout: options.handshakeTimeoutMs ?? 10_000, ...options.tls }, accept);
      // A failed or timed-out handshake (a plain client, a wrong certificate): close it here,
      // as Node leaves the socket open when this event has a listener.
      this.#server.on('tlsClientError', (error: Error, socket: Socket) => {
        socket.destroy();
        options.logger.debug({ err: error, address: socket.remoteAddress }, 'DFS client TLS handshake failed');
      });
    }
  }

  /** True when clients must connect with TLS. */
  get secure(): boolean {
    return this.#options.tls !== undefined;
  }

  #accept(socket: Socket): void {
    if (this.#links.size >= (this.#options.maxConnections ?? 1024)) {
      socket.destroy();
      return;
    }
    const link = acceptSlaveClient(socket, this.#options.link ?? {});
    const service = clientOperations({
      fs: this.#options.fs, name: this.#options.name, ticketKey: this.#options.ticketKey, usedTickets: this.#used,
      commit: this.#options.commit, maxOpenUploads: 64, uploadIdleMs: 60_000,
    });
    this.#links.add(link);
    link.serve(service.handlers);
    link.listen({});
    link.onClose(() => {
      this.#links.delete(link);
      void service.close();
    });
  }

  /** Starts listening; resolves with the bound address. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const bound = this.#server.address();
        resolve(bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : { host, port });
      });
    });
  }

  /** The bound address, or `null`. */
  address(): { host: string; port: number } | null {
    const bound = this.#server.address();
    return bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : null;
  }

  /** Stops listening and closes every client connection (open uploads are dropped). */
  async close(): Promise<void> {
    for (const link of this.#links) link.close();
    await new Promise<void>((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
