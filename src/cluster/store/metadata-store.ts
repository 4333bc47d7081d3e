import type { AbortOptions } from '../../vfs/index.js';

/** One node of the master's authoritative tree. */
export interface NodeRecord {
  readonly path: string;
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly mtimeMs: number;
  readonly holders: readonly string[];
  readonly checksum?: string | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
}
/** One entry of a slave's file list. */
export interface SlaveFileEntry { readonly path: string; readonly type: 'file' | 'dir'; readonly size: number; readonly mtimeMs: number }
/** What one remerge batch changed. */
export interface MergeOutcome { readonly added: number; readonly matched: number; readonly conflicts: readonly { path: string; storeSize: number; slaveSize: number }[] }
/** The master's metadata (placeholder until the store branch lands). */
export interface MetadataStore {
  get(path: string, options?: AbortOptions): Promise<NodeRecord | undefined>;
  list(dir: string, options?: AbortOptions): AsyncIterable<NodeRecord>;
  putFile(record: Omit<NodeRecord, 'type'>, options?: AbortOptions): Promise<void>;
  mkdir(path: string, mtimeMs: number, options?: AbortOptions): Promise<void>;
  remove(path: string, options?: AbortOptions): Promise<NodeRecord>;
  rename(from: string, to: string, options?: AbortOptions): Promise<void>;
  addHolder(path: string, slave: string, options?: AbortOptions): Promise<void>;
  removeHolder(path: string, slave: string, options?: AbortOptions): Promise<void>;
  setMtime(path: string, mtimeMs: number, options?: AbortOptions): Promise<void>;
  mergeSlaveFiles(slave: string, epoch: number, entries: readonly SlaveFileEntry[], options?: AbortOptions): Promise<MergeOutcome>;
  finishRemerge(slave: string, epoch: number, options?: AbortOptions): Promise<number>;
  filesHeldBy(slave: string, options?: AbortOptions): AsyncIterable<string>;
  close(): Promise<void>;
}
