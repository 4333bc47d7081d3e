import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** Answers one GET or HEAD request of a path. */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Where an HTTP listener binds. */
export interface HttpListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Options of {@link MetricsHttpServer}. */
export interface MetricsHttpServerOptions {
  /** Served as Prometheus text at `/metrics`. */
  readonly registry: Registry;
  /** More paths (exact match, e.g. the master's status page). `/metrics` cannot be replaced. */
  readonly routes?: ReadonlyMap<string, HttpRoute> | undefined;
  /** Connections open at once; more are refused by the kernel backlog and then dropped. @default 64 */
  readonly maxConnections?: number | undefined;
}

/** Headers on every answer: the status page runs only its own files, and nothing is sniffed or framed. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}

/**
 * A small HTTP listener for `/metrics` (and the master's status page): GET and HEAD only,
 * exact paths, bounded connections and timeouts. Not a general web server: put a reverse
 * proxy in front of it for TLS or authentication.
 *
 * @example
 * ```ts
 * const http = new MetricsHttpServer({ registry: metrics.registry });
 * const { port } = await http.listen({ host: '127.0.0.1', port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 * ```
 */
export class MetricsHttpServer {
  readonly #server: Server;
  readonly #routes: ReadonlyMap<string, HttpRoute>;

  constructor(options: MetricsHttpServerOptions) {
    const registry = options.registry;
    const routes = new Map(options.routes);
    routes.set('/metrics', async (_request, response) => {
      const text = await registry.metrics();
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': registry.contentType });
      response.end(text);
    });
    this.#routes = routes;
    this.#server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000, maxHeaderSize: 8192 }, (request, response) => {
      void this.#handle(request, response);
    });
    this.#server.maxConnections = options.maxConnections ?? 64;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      answer(response, 405, 'method not allowed\n');
      return;
    }
    // Only the path counts: a query string (cache busting, Prometheus params) is ignored.
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = this.#routes.get(path);
    if (route === undefined) {
      answer(response, 404, 'not found\n');
      return;
    }
    try {
      await route(request, response);
    } catch {
      // Never leak an internal error's text to an HTTP client.
      if (!response.headersSent) answer(response, 500, 'internal error\n');
      else response.destroy();
    }
  }

  /** Starts listening; resolves with the bound address. */
  listen(address: HttpListenAddress): Promise<HttpListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(error);
      };
      this.#server.once('error', onError);
      this.#server.listen({ host: address.host, port: address.port }, () => {
        this.#server.off('error', onError);
        const bound = this.address();
        if (bound === null) reject(new Error('the metrics listener did not bind'));
        else resolve(bound);
      });
    });
  }

  /** The bound address, or `null` when not listening. */
  address(): HttpListenAddress | null {
    const bound = this.#server.address();
    if (bound === null || typeof bound === 'string') return null;
    return { host: bound.address, port: bound.port };
  }

  /** Stops listening and closes every connection (streams included). Idempotent. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }
}

export { SECURITY_HEADERS };
