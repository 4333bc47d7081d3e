/** `kind` 0 = progress (`bytes` so far), 1 = done (then `errno`, `syscall` and `aborted` are set). */
export type NativeCallback = (kind: number, bytes: number, errno?: number, syscall?: string, aborted?: boolean) => void;

/** What build/Release/ftpgrid_zero_copy.node exports (see native/src/zero_copy.cc). */
export interface NativeBinding {
  readonly abiVersion: number;
  /** Starts sendfile on a pool thread (throws an Error with `code` ERR_ZERO_COPY_START when it cannot); `length` -1 = until end of file. Returns the handle {@link NativeBinding.cancel} takes. */
  sendFile(fileFd: number, socketFd: number, offset: number, length: number, callback: NativeCallback): NativeTransferHandle;
  /** Starts splice on a pool thread; `offset` -1 = file position, `maxBytes` -1 = until EOF. */
  receiveFile(socketFd: number, fileFd: number, offset: number, maxBytes: number, callback: NativeCallback): NativeTransferHandle;
  /** Asks the transfer's thread to stop; it notices within its poll interval (50 ms). */
  cancel(handle: NativeTransferHandle): void;
  /** Workers of the addon's pool: the most blocking calls at once. */
  readonly poolSize: number;
  /** True when every worker runs a transfer. */
  busy(): boolean;
}

/** Opaque (a Node-API external) identifying one running native transfer. */
export type NativeTransferHandle = object;

/** The JS <-> native contract version this loader speaks; a stale build with another is refused. */
export const NATIVE_ABI_VERSION = 3;

/** Whether a loaded module is a binding of the expected shape and version. */
export function isNativeBinding(value: unknown): value is NativeBinding {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof NativeBinding, unknown>>;
  return (
    candidate.abiVersion === NATIVE_ABI_VERSION &&
    typeof candidate.sendFile === 'function' &&
    typeof candidate.receiveFile === 'function' &&
    typeof candidate.cancel === 'function' &&
    typeof candidate.busy === 'function' &&
    typeof candidate.poolSize === 'number'
  );
}
