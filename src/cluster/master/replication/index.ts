export { ReplicationManager, type ReplicationEvents, type VerifyResult } from './replication-manager.js';
export { resolveReplicationOptions, type ReplicationOptions, type ResolvedReplicationOptions } from './replication-options.js';
export { MAX_COPIES, ReplicationPolicies, type CopyTarget, type ReplicationPolicy } from './replication-policy.js';
export type { FileReplication, ReplicationAction, ReplicationStatus, RunningCopy } from './replication-status.js';
export { SlaveGroups } from './slave-groups.js';
export { copyBetweenSlaves, type CopyOutcome } from './copy-between-slaves.js';
