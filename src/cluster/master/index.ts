export { ClusterMaster, type ClusterMasterOptions } from './cluster-master.js';
export { CLUSTER_MLST_FACTS, ClusterFileSystem, type ClusterFileSystemOptions, type Placement, type TreeChange } from './cluster-file-system.js';
export { ClusterDataPlane, type ClusterDataPlaneOptions } from './cluster-data-plane.js';
export { SlaveRegistry, type SlaveRegistryEvents, type SlaveRegistryOptions, type RemergeMode } from './slave-registry.js';
export type { SlaveState, SlaveStatus } from './slave-node.js';
export {
  combineStrategies, defaultStrategy, fewestTransfers, mostFreeSpace, pathRules, roundRobin, withRoom,
  type PathRule, type SelectionRequest, type SelectionStrategy,
} from './selection.js';
export { formatSlaveLine, type ClusterAdmin } from './admin-commands.js';
export * from './replication/index.js';
export { registerReplicationCommands } from './replication-commands.js';
export { registerMetaCommand } from './meta-command.js';
export type { ClientServiceOptions, LoginLimiter } from './client-service.js';
