/** Stable codes of {@link ProtocolError}. */
export type ProtocolErrorCode =
  /** A frame longer than the negotiated maximum. */
  | 'frame-too-large'
  /** Bytes that are not a valid frame, or a frame of the wrong shape. */
  | 'malformed'
  /** The peer could not prove it knows the shared secret (or we could not). */
  | 'auth-failed'
  /** No protocol version both sides speak. */
  | 'version'
  /** A request got no answer in time, or the handshake took too long. */
  | 'timeout'
  /** The connection closed before the answer came. */
  | 'closed'
  /** The caller cancelled the request. */
  | 'aborted'
  /** Too many requests in flight. */
  | 'busy'
  /** The peer answered with an error (see `remoteCode`). */
  | 'remote';

/** Options of {@link ProtocolError}. */
export interface ProtocolErrorOptions {
  /** The code the remote side gave, for `remote` errors (for example an `FsError` code). */
  readonly remoteCode?: string | undefined;
  /** The underlying error, for logs. */
  readonly cause?: unknown;
}

/**
 * The error every cluster-protocol operation rejects with.
 *
 * @example
 * ```ts
 * try { await peer.request('stat', { path: '/a' }); }
 * catch (error) { if (error instanceof ProtocolError && error.code === 'timeout') retryLater(); }
 * ```
 */
export class ProtocolError extends Error {
  /** Always `'ProtocolError'`. */
  override readonly name = 'ProtocolError';
  /** Stable, machine-readable code. */
  readonly code: ProtocolErrorCode;
  /** For `remote` errors: the code the peer sent. */
  readonly remoteCode: string | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remoteCode = options.remoteCode;
  }
}

/** True when `error` is a {@link ProtocolError}, optionally with the given code. */
export function isProtocolError(error: unknown, code?: ProtocolErrorCode): error is ProtocolError {
  return error instanceof ProtocolError && (code === undefined || error.code === code);
}

/**
 * The code to answer a peer with for `error` (at most 64 characters, `internal` when it has
 * none): its own `code`, or, for a refusal passed on from another peer, that peer's code
 * (a master's `no-space` reaches the client as `no-space`, not `remote`).
 * @internal
 */
export function wireCodeOf(error: unknown): string {
  if (error instanceof ProtocolError && error.code === 'remote' && error.remoteCode !== undefined && error.remoteCode.length > 0 && error.remoteCode.length <= 64) return error.remoteCode;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 && code.length <= 64 ? code : 'internal';
}
