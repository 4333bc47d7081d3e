/** `kind` 0 = progress (`bytes` so far), 1 = done (then `errno`, `syscall` and `aborted` are set). */
export type NativeCallback = (kind: number, bytes: number, errno?: number, syscall?: string, aborted?: boolean) => void;

/** What build/Release/ftpgrid_zero_copy.node exports (see native/src/zero_copy.cc). */
export interface NativeBinding {
  readonly abiVersion: number;
  sendFile(fileFd: number, socketFd: number, offset: number, length: number, cancel: Int32Array, callback: NativeCallback): void;
  receiveFile(socketFd: number, fileFd: number, offset: number, maxBytes: number, cancel: Int32Array, callback: NativeCallback): void;
}

/** The JS <-> native contract version this loader speaks; a stale build with another is refused. */
export const NATIVE_ABI_VERSION = 1;

/** Whether a loaded module is a binding of the expected shape and version. */
export function isNativeBinding(value: unknown): value is NativeBinding {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof NativeBinding, unknown>>;
  return (
    candidate.abiVersion === NATIVE_ABI_VERSION &&
    typeof candidate.sendFile === 'function' &&
    typeof candidate.receiveFile === 'function'
  );
}
