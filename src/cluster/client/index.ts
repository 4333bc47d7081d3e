export {
  ClusterClient, createClusterClient,
  type CallOptions, type UploadOptions, type UploadWithIdOptions, type DownloadOptions, type UploadResult, type ClusterStat, type ClusterEntry, type SetMetaOptions,
} from './cluster-client.js';
export type { ClusterClientOptions } from './client-options.js';
export { ClusterClientError, type ClusterClientErrorCode } from './client-error.js';
