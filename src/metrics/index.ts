/**
 * Observability: Prometheus series of a server, a cluster master and a slave (through
 * prom-client, one registry per instance), a small HTTP listener for `/metrics`, and the
 * master's live status page.
 *
 * @packageDocumentation
 */
export { ServerMetrics } from './server-metrics.js';
export type { ServerMetricsEvents, ServerMetricsOptions, ServerMetricsSource } from './server-metrics.js';
export { ClusterMetrics } from './cluster-metrics.js';
export type { ClusterMetricsOptions, ClusterMetricsSource, SlaveSnapshot } from './cluster-metrics.js';
export { SlaveMetrics } from './slave-metrics.js';
export type { SlaveMetricsOptions, SlaveMetricsSource, SlaveTransferEvent } from './slave-metrics.js';
export { GaugeSources } from './gauge-sources.js';
export type { GaugeSource } from './gauge-sources.js';
export { directionOfVerb } from './transfer-counters.js';
export type { TransferDirection } from './transfer-counters.js';
export { MetricsHttpServer } from './metrics-http-server.js';
export type { HttpListenAddress, HttpRoute, MetricsHttpServerOptions } from './metrics-http-server.js';
export { validateMetricsOptions } from './metrics-options.js';
export type { MetricsOptions } from './metrics-options.js';
export { StatusBoard } from './status/status-board.js';
export type {
  StatusBoardOptions,
  StatusEndedTransfer,
  StatusEvent,
  StatusEventKind,
  StatusSlave,
  StatusSnapshot,
  StatusTransfer,
  StatusTransferEvents,
  StatusTransferSource,
} from './status/status-board.js';
export { loadStatusAssets } from './status/status-assets.js';
export type { StatusAssets } from './status/status-assets.js';
export { statusRoutes } from './status/status-routes.js';
export type { StatusRoutes, StatusRoutesOptions } from './status/status-routes.js';
export { StatusStream } from './status/status-stream.js';
export type { StatusStreamOptions } from './status/status-stream.js';
