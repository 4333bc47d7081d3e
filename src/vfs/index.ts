/**
 * The virtual filesystem: the {@link FileSystem} seam, typed errors, the path jail,
 * local and in-memory filesystems, users and permissions.
 *
 * @packageDocumentation
 */
export type { AbortOptions } from './abort-options.js';
export type {
  ChecksumAlgorithm,
  ChecksumCapable,
  ChecksumOptions,
  ChmodCapable,
  DirEntry,
  FileStat,
  FileSystem,
  FileType,
  FreeSpaceCapable,
  OpenReadOptions,
  OpenWriteOptions,
  ReadHandle,
  SetTimesCapable,
  WriteHandle,
} from './file-system.js';
export { canChecksum, canChmod, canSetTimes, hasFreeSpace } from './file-system.js';
export type { FsErrorCode, FsErrorOptions } from './fs-error.js';
export { FsError, isFsError } from './fs-error.js';
export type { Authorizer, PeerInfo, Permission, UserContext } from './authorizer.js';
