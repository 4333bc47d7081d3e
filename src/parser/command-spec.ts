/**
 * Permission a command needs on its path argument (pyftpdlib letters `elradfmwMT`). The one
 * definition: the vfs `Permission` is an alias of it, because the parser imports nothing.
 */
export type CommandPermission =
  | 'cwd'
  | 'list'
  | 'read'
  | 'append'
  | 'delete'
  | 'rename'
  | 'mkdir'
  | 'write'
  | 'chmod'
  | 'setTime';

/** Whether a command takes an argument. */
export type ArgumentRule = 'required' | 'optional' | 'none';

/** What the server must know about one verb before dispatching it. */
export interface CommandSpec {
  /** The verb, upper case. */
  readonly verb: string;
  /** For aliases (`XMKD`), the verb whose handler serves it (`MKD`). */
  readonly aliasOf?: string;
  /** Argument rule: a violation is answered 501. */
  readonly arg: ArgumentRule;
  /** Refused with 530 before login. */
  readonly needsLogin: boolean;
  /** May run while a data transfer is in progress (ABOR, STAT, QUIT, NOOP, ...). */
  readonly allowedDuringTransfer: boolean;
  /** Permission needed on the path argument, checked by the session. */
  readonly permission?: CommandPermission;
  /** Uses the data connection (needs a prior PASV/EPSV/PORT/EPRT). */
  readonly opensDataConnection: boolean;
  /** HELP text, `Syntax: RETR <SP> file-name` style. */
  readonly help: string;
  /** The FEAT line this command contributes (RFC 2389), without the leading space. */
  readonly feat?: string;
}
