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
  StatNowCapable,
  WriteHandle,
} from './file-system.js';
export { canChecksum, canChmod, canSetTimes, canStatNow, hasFreeSpace } from './file-system.js';
export type { FsErrorCode, FsErrorOptions } from './fs-error.js';
export { FsError, isFsError } from './fs-error.js';
export { toFsError } from './errno-error.js';
export type { Authorizer, PeerInfo, Permission, UserContext } from './authorizer.js';
export type { ResolveVirtualPathOptions } from './path-jail.js';
export { resolveVirtualPath } from './path-jail.js';
export { INTERNAL_NAME_PREFIX, isInternalName } from './internal-names.js';
export type { FsReply, FsReplyContext } from './fs-reply.js';
export { replyForFsError } from './fs-reply.js';
export type { MemoryFileSystemOptions } from './memory-file-system.js';
export { MemoryFileSystem } from './memory-file-system.js';
export type { LocalFileSystemOptions } from './local-file-system.js';
export { LocalFileSystem } from './local-file-system.js';
export { uniqueOfStats } from './local-stat.js';
export { ALL_PERMISSIONS, PathPermissions, parsePermissions, READ_ONLY_PERMISSIONS } from './permissions.js';
export type { PermissionSpec } from './permissions.js';
export { createUserContext } from './user-context.js';
export { ReadOnlyFileSystem } from './read-only-file-system.js';
export type { UserContextOptions } from './user-context.js';
export type { HashPasswordOptions } from './password-hash.js';
export { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';
export type { MemoryAnonymous, MemoryAuthorizerOptions, MemoryUser } from './memory-authorizer.js';
export { MemoryAuthorizer } from './memory-authorizer.js';
export type { PasswordFileEntry } from './password-file.js';
export { PasswordFileError, parsePasswordFile } from './password-file.js';
export type { PasswordFileAuthorizerOptions } from './password-file-authorizer.js';
export { PasswordFileAuthorizer } from './password-file-authorizer.js';
export { checksumOf } from './checksum.js';
export type { StorageLocatable, StorageLocation } from './storage-location.js';
export { canLocate, locateStorage } from './storage-location.js';
export type { AsciiSizeCapable } from './ascii-size.js';
export { asciiSizeOf, canAsciiSize } from './ascii-size.js';
export { createDigest } from './digest.js';
export type { Digest } from './digest.js';
