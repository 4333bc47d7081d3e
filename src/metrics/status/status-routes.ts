import type { HttpRoute } from '../metrics-http-server.js';
import { SECURITY_HEADERS } from '../metrics-http-server.js';
import type { StatusAssets } from './status-assets.js';
import type { StatusBoard } from './status-board.js';
import { StatusStream } from './status-stream.js';

/** Options of {@link statusRoutes}. */
export interface StatusRoutesOptions {
  /** Live-stream clients at once (`/api/stream`). @default 16 */
  readonly maxStreamClients?: number | undefined;
  /** Milliseconds between two pushes of the live stream. @default 1000 */
  readonly streamIntervalMs?: number | undefined;
}

/** The status page's routes, and the stream to close with the listener. */
export interface StatusRoutes {
  readonly routes: ReadonlyMap<string, HttpRoute>;
  readonly stream: StatusStream;
}

function staticRoute(body: string, contentType: string): HttpRoute {
  return (_request, response) => {
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentType });
    response.end(body);
  };
}

/**
 * The routes of the master's status page: `/` and `/status` (the page), `/status.css`,
 * `/status.js`, `/api/status` (the snapshot as JSON) and `/api/stream` (the snapshot every
 * second as server-sent events).
 */
export function statusRoutes(board: StatusBoard, assets: StatusAssets, options: StatusRoutesOptions = {}): StatusRoutes {
  const stream = new StatusStream({ snapshot: () => board.snapshot(), maxClients: options.maxStreamClients, intervalMs: options.streamIntervalMs });
  const page = staticRoute(assets.html, 'text/html; charset=utf-8');
  const routes = new Map<string, HttpRoute>([
    ['/', page],
    ['/status', page],
    ['/status.css', staticRoute(assets.css, 'text/css; charset=utf-8')],
    ['/status.js', staticRoute(assets.js, 'text/javascript; charset=utf-8')],
    ['/api/status', (_request, response) => {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(board.snapshot()));
    }],
    ['/api/stream', (request, response) => {
      if (request.method === 'HEAD') {
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
        response.end();
        return;
      }
      stream.add(response, SECURITY_HEADERS);
    }],
  ]);
  return { routes, stream };
}
