import type { TransferMethod } from '../transfer/index.js';

/** Fields every session event carries. */
export interface SessionEventBase {
  /** Unique id of the control session. */
  readonly sessionId: string;
  /** The client's address (canonical form). */
  readonly remoteAddress: string;
}

/**
 * Typed events a session emits. They observe only: interception (veto, rewrite) is the job
 * of {@link CommandMiddleware}.
 */
export interface SessionEvents {
  /** A client connected and got the greeting. */
  connect: SessionEventBase & { readonly remotePort: number };
  /** A user logged in. */
  login: SessionEventBase & { readonly user: string; readonly anonymous: boolean };
  /** A login attempt failed. */
  loginFailed: SessionEventBase & { readonly user: string; readonly attempts: number };
  /** A command line was received (the PASS argument is masked). */
  command: SessionEventBase & { readonly verb: string; readonly arg: string | undefined; readonly user: string | undefined };
  /**
   * A reply was written to the control connection (every reply, including 1xx marks and the
   * greeting). Only the code: the text may hold paths.
   */
  reply: SessionEventBase & { readonly code: number };
  /** A data transfer (file or listing) started. */
  transferStart: SessionEventBase & TransferEventFields;
  /** Bytes moved (a few times per second at most). */
  transferProgress: SessionEventBase & TransferEventFields & { readonly bytes: number };
  /** A data transfer ended, successfully or not. */
  transferEnd: SessionEventBase &
    TransferEventFields & {
      readonly ok: boolean;
      readonly bytes: number;
      readonly durationMs: number;
      readonly method: TransferMethod | undefined;
      /** Stable error code when `ok` is false. */
      readonly errorCode: string | undefined;
    };
  /** An upload (STOR, STOU, APPE) completed and was published. */
  fileReceived: SessionEventBase & { readonly user: string | undefined; readonly path: string; readonly bytes: number };
  /** An upload failed or was aborted; the file was not published. */
  incompleteUpload: SessionEventBase & {
    readonly user: string | undefined;
    readonly path: string;
    readonly bytes: number;
    readonly errorCode: string;
  };
  /** The control connection closed. */
  disconnect: SessionEventBase & { readonly reason: string };
  /** An unexpected error (a bug or a failing dependency); the session replied 451 or closed. */
  error: Partial<SessionEventBase> & { readonly error: unknown };
}

/** Shared fields of the transfer events. */
export interface TransferEventFields {
  /** The verb that started the transfer (RETR, STOR, LIST, ...). */
  readonly verb: string;
  /** The virtual path concerned (the listed directory for listings). */
  readonly path: string;
  readonly user: string | undefined;
}

/** Name of a {@link SessionEvents} event. */
export type SessionEventName = keyof SessionEvents;

/** Where a session sends its events. */
export type SessionEventSink = <K extends SessionEventName>(event: K, payload: SessionEvents[K]) => void;
