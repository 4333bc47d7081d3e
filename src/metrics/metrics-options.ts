import type { Registry } from 'prom-client';
import type { HttpListenAddress } from './metrics-http-server.js';

/**
 * The `metrics` option of `createServer`, `createMaster` and `createSlave`.
 *
 * @example
 * ```ts
 * const server = createServer({ authorizer, metrics: { listen: { host: '127.0.0.1', port: 9464 } } });
 * await server.listen();
 * // curl http://127.0.0.1:9464/metrics
 * ```
 */
export interface MetricsOptions {
  /**
   * Where to serve `/metrics` over HTTP (a master also serves its status page there). The
   * listener starts with the server and stops with it. @default no listener: read the
   * series from `registry` yourself
   */
  readonly listen?: HttpListenAddress | undefined;
  /** Register the series in this prom-client registry. @default a new registry per server */
  readonly registry?: Registry | undefined;
}

/** Throws `RangeError` when `options` is not a valid {@link MetricsOptions}. */
export function validateMetricsOptions(options: MetricsOptions): void {
  if (typeof options !== 'object' || Array.isArray(options)) throw new RangeError('metrics: must be an object { listen?, registry? }');
  for (const key of Object.keys(options)) {
    if (key !== 'listen' && key !== 'registry') throw new RangeError(`metrics.${key}: unknown option (listen, registry)`);
  }
  const listen = options.listen;
  if (listen === undefined) return;
  if (typeof listen.host !== 'string' || listen.host === '') throw new RangeError('metrics.listen.host: must be a host name or address');
  if (!Number.isInteger(listen.port) || listen.port < 0 || listen.port > 65_535) throw new RangeError('metrics.listen.port: must be an integer from 0 to 65535');
}
