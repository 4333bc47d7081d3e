import type { ChecksumAlgorithm, UserContext } from '../vfs/index.js';
import type { TransferIntent, TransferMethod, TransferType } from '../transfer/index.js';

/**
 * Where a session is in its life:
 * `connected` (greeting sent) -> `user-given` (USER accepted) -> `logged-in` (PASS accepted)
 * -> `closing`. REIN goes back to `connected`.
 */
export type SessionPhase = 'connected' | 'user-given' | 'logged-in' | 'closing';

/** TLS state of a session (RFC 4217); filled in by the FTPS handlers. */
export interface SessionTlsState {
  /** The control connection is protected (after AUTH TLS, or implicit FTPS). */
  control: boolean;
  /** Data protection level (PROT C / PROT P). */
  protection: 'clear' | 'private';
  /** PBSZ was received after AUTH. */
  pbszDone: boolean;
}

/** The transfer a session is running, if any (one at a time). */
export interface RunningTransfer {
  readonly verb: string;
  readonly path: string;
  readonly startedAt: Date;
  /**
   * Aborts this transfer. Abort it only while this transfer is the state's `transfer`: once it
   * finished without an abort, the session may use the same controller for its next transfer.
   */
  readonly controller: AbortController;
  /** Bytes moved so far (updated by progress callbacks). */
  bytes: number;
  /** The data connection is open and bytes may flow (150 was sent). */
  started: boolean;
  /** ABOR (or session close) asked for the transfer to stop. */
  aborted: boolean;
  /** Settles when the transfer's final reply has been written. Never rejects. */
  readonly done: Promise<void>;
  /** How the bytes moved, once known. */
  method: TransferMethod | undefined;
}

/**
 * The mutable state of one control session. Handlers read and update it; every field
 * that depends on the login is reset by REIN.
 */
export interface SessionState {
  phase: SessionPhase;
  /** The name given with USER. */
  userName: string | undefined;
  /** The logged-in user's context. */
  user: UserContext | undefined;
  /** Current working directory (virtual absolute path). */
  cwd: string;
  /** TYPE A / TYPE I. */
  type: TransferType;
  /** RNFR path waiting for RNTO. */
  renameFrom: string | undefined;
  /** REST offset waiting for RETR/STOR/APPE. */
  restOffset: number | undefined;
  /** After EPSV ALL, only EPSV may set up data connections (RFC 2428 section 4). */
  epsvAll: boolean;
  /** PRET intent for the next PASV/EPSV. */
  pretIntent: TransferIntent | undefined;
  /** Facts MLST/MLSD show (OPTS MLST). */
  mlstFacts: readonly string[];
  /** Algorithm of HASH (OPTS HASH). */
  hashAlgorithm: ChecksumAlgorithm;
  /** Failed logins so far on this connection. */
  loginAttempts: number;
  /** Client software name (CLNT). */
  clientName: string | undefined;
  /** TLS state (see {@link SessionTlsState}). */
  tls: SessionTlsState;
  /** The running transfer, if any. */
  transfer: RunningTransfer | undefined;
}
