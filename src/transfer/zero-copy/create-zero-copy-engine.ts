import { getSystemErrorName } from 'node:util';
import type { NativeBinding, NativeCallback, NativeTransferHandle } from './native-binding.js';
import type { ReceiveFileOptions, SendFileOptions, ZeroCopyEngine, ZeroCopyProgress } from './zero-copy-engine.js';
import { ZeroCopyError } from './zero-copy-error.js';

function invalid(message: string): ZeroCopyError {
  return new ZeroCopyError('ERR_INVALID_ARG_VALUE', message);
}

function checkFd(name: string, fd: number): ZeroCopyError | undefined {
  return Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff ? undefined : invalid(`${name} must be a non-negative integer, got ${fd}`);
}

function checkCount(name: string, value: number, allowMinusOne: boolean): ZeroCopyError | undefined {
  if (Number.isSafeInteger(value) && (value >= 0 || (allowMinusOne && value === -1))) return undefined;
  return invalid(`${name} must be a non-negative safe integer${allowMinusOne ? ' or -1' : ''}, got ${value}`);
}

function abortError(signal: AbortSignal, bytes: number): ZeroCopyError {
  return new ZeroCopyError('ABORT_ERR', 'The zero-copy transfer was aborted', { bytesTransferred: bytes, cause: signal.reason });
}

function systemErrorName(errno: number): string {
  try {
    return getSystemErrorName(-Math.abs(errno));
  } catch {
    return `ERRNO_${errno}`;
  }
}

/** What the addon threw when it could not start a transfer, as a typed error. */
function startError(error: unknown): ZeroCopyError {
  if (error instanceof ZeroCopyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ZeroCopyError('ERR_ZERO_COPY_START', message, { cause: error });
}

interface Run {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ZeroCopyProgress | undefined;
  readonly start: (callback: NativeCallback) => NativeTransferHandle;
  readonly cancel: (handle: NativeTransferHandle) => void;
}

/**
 * Drives one native transfer. The promise settles only once the native thread has stopped
 * touching the descriptors, so the caller may close them (and the kernel reuse the numbers)
 * safely as soon as it settles, abort included.
 */
function run({ signal, onProgress, start, cancel }: Run): Promise<number> {
  if (signal?.aborted) return Promise.reject(abortError(signal, 0));
  return new Promise<number>((resolve, reject) => {
    let handle: NativeTransferHandle | undefined;
    let callbackError: unknown;
    let hasCallbackError = false;
    const stop = (): void => {
      if (handle !== undefined) cancel(handle);
    };
    const onAbort = stop;
    const callback: NativeCallback = (kind, bytes, errno = 0, syscall = '', aborted = false) => {
      if (kind === 0) {
        if (onProgress === undefined || hasCallbackError) return;
        try {
          onProgress(bytes);
        } catch (error) {
          // A throwing progress callback would surface as an uncaught exception from native
          // code; stop the transfer instead and reject with what it threw.
          callbackError = error;
          hasCallbackError = true;
          stop();
        }
        return;
      }
      signal?.removeEventListener('abort', onAbort);
      if (hasCallbackError) {
        reject(callbackError instanceof Error ? callbackError : new ZeroCopyError('ERR_PROGRESS_CALLBACK', String(callbackError)));
      } else if (errno !== 0) {
        const code = systemErrorName(errno);
        reject(new ZeroCopyError(code, `${syscall} failed: ${code}`, { syscall, bytesTransferred: bytes }));
      } else if (aborted && signal) {
        reject(abortError(signal, bytes));
      } else {
        resolve(bytes);
      }
    };
    try {
      handle = start(callback);
      signal?.addEventListener('abort', onAbort, { once: true });
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      reject(startError(error));
    }
  });
}

/**
 * Wraps a loaded native binding in the {@link ZeroCopyEngine} contract: validates options,
 * maps errno values to codes and aborts through the binding's cancel.
 */
export function createZeroCopyEngine(binding: NativeBinding): ZeroCopyEngine {
  return {
    sendFile(o: SendFileOptions): Promise<number> {
      const length = o.length === Infinity ? -1 : o.length;
      const bad = checkFd('fileFd', o.fileFd) ?? checkFd('socketFd', o.socketFd) ?? checkCount('offset', o.offset, false) ?? checkCount('length', length, o.length === Infinity);
      if (bad) return Promise.reject(bad);
      if (length === 0 && o.signal?.aborted !== true) return Promise.resolve(0);
      return run({
        signal: o.signal,
        onProgress: o.onProgress,
        start: (callback) => binding.sendFile(o.fileFd, o.socketFd, o.offset, length, callback),
        cancel: (handle) => {
          binding.cancel(handle);
        },
      });
    },
    receiveFile(o: ReceiveFileOptions): Promise<number> {
      const maxBytes = o.maxBytes ?? -1;
      const bad = checkFd('socketFd', o.socketFd) ?? checkFd('fileFd', o.fileFd) ?? checkCount('offset', o.offset, true) ?? checkCount('maxBytes', maxBytes, o.maxBytes === undefined);
      if (bad) return Promise.reject(bad);
      if (maxBytes === 0 && o.signal?.aborted !== true) return Promise.resolve(0);
      return run({
        signal: o.signal,
        onProgress: o.onProgress,
        start: (callback) => binding.receiveFile(o.socketFd, o.fileFd, o.offset, maxBytes, callback),
        cancel: (handle) => {
          binding.cancel(handle);
        },
      });
    },
    busy: () => binding.busy(),
  };
}
