import type { ClusterMaster } from '../cluster/index.js';
import {
  ClusterMetrics, MetricsHttpServer, StatusBoard, loadStatusAssets, statusRoutes,
  type HttpListenAddress, type MetricsOptions, type StatusStream,
} from '../metrics/index.js';
import type { FtpServer } from '../server/index.js';

/** A master's metrics listener: `/metrics` (front end + cluster) and the live status page. */
export interface MasterObservability {
  readonly board: StatusBoard;
  listen(): Promise<HttpListenAddress | null>;
  address(): HttpListenAddress | null;
  close(): Promise<void>;
}

/** Turns the slave registry's events into the status page's event lines. */
function followCluster(cluster: ClusterMaster, board: StatusBoard): void {
  cluster.registry.on('slaveState', ({ name, state, previous }) => {
    // A new slave starts as `connecting` (no event): it has joined once its remerge made it usable.
    if (state === 'online') board.record('slave-joined', name, `online (was ${previous})`);
    else if (state === 'offline') board.record('slave-lost', name, `connection lost (was ${previous})`);
    else board.record('slave-state', name, `${state} (was ${previous})`);
  });
  cluster.registry.on('remerged', ({ slave, files, added, lost, conflicts }) => {
    board.record('remerged', slave, `remerge done: ${files} files, ${added} added, ${lost} lost, ${conflicts} conflicts`);
  });
  cluster.registry.on('remergeFailed', ({ slave, error }) => {
    board.record('remerge-failed', slave, `remerge failed: ${error.message}`);
  });
  cluster.registry.on('conflict', ({ slave, path, storeSize, slaveSize }) => {
    board.record('conflict', slave, `size conflict on ${path}: tree ${storeSize} bytes, slave ${slaveSize} bytes`);
  });
}

/**
 * Wires a master's observability: the front end's series come from `ftp.metrics` (created by
 * `createServer` with the same registry), the cluster's from {@link ClusterMetrics}; the
 * status board follows the registry's events and the front end's transfers.
 */
export function createMasterObservability(ftp: FtpServer, cluster: ClusterMaster, options: MetricsOptions): MasterObservability {
  const registry = ftp.metrics?.registry;
  if (registry === undefined) throw new Error('the front end was created without metrics');
  const clusterMetrics = new ClusterMetrics(cluster, { registry });
  const board = new StatusBoard({
    slaves: () => cluster.slaves(),
    sessions: () => ftp.sessionCount,
    relayedBytes: () => cluster.relayedBytes,
  });
  followCluster(cluster, board);
  const stopTransfers = board.observeTransfers(ftp);
  let http: MetricsHttpServer | undefined;
  let stream: StatusStream | undefined;
  return {
    board,
    async listen() {
      if (options.listen === undefined || http !== undefined) return http?.address() ?? null;
      const routes = statusRoutes(board, await loadStatusAssets());
      stream = routes.stream;
      http = new MetricsHttpServer({ registry, routes: routes.routes });
      return http.listen(options.listen);
    },
    address: () => http?.address() ?? null,
    async close() {
      stream?.close();
      await http?.close();
      stopTransfers();
      clusterMetrics.close();
    },
  };
}
