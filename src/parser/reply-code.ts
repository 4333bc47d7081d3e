/**
 * Named FTP reply codes. Each cites where it is defined: RFC 959 4.2.2 unless said
 * otherwise; RFC 2228 (security), RFC 2428 (extended addresses), RFC 3659 (extensions),
 * RFC 4217 (TLS), RFC 1639 (long passive).
 *
 * @example
 * ```ts
 * formatReply(ReplyCode.FileActionOk, 'Directory changed'); // '250 Directory changed\r\n'
 * ```
 */
export const ReplyCode = {
  /** 110 Restart marker reply (RFC 959 4.2.2, MODE B/C restarts). */
  RestartMarker: 110,
  /** 120 Service ready in nnn minutes. */
  ServiceReadyIn: 120,
  /** 125 Data connection already open; transfer starting. */
  DataConnectionAlreadyOpen: 125,
  /** 150 File status okay; about to open data connection. */
  FileStatusOk: 150,
  /** 200 Command okay. */
  CommandOk: 200,
  /** 202 Command not implemented, superfluous at this site (ALLO, ACCT). */
  CommandSuperfluous: 202,
  /** 211 System status, or system help reply (FEAT, RFC 2389 3.2). */
  SystemStatus: 211,
  /** 212 Directory status. */
  DirectoryStatus: 212,
  /** 213 File status (SIZE, MDTM and STAT of a file, RFC 3659 4.2 and 3.2). */
  FileStatus: 213,
  /** 214 Help message. */
  HelpMessage: 214,
  /** 215 NAME system type (SYST). */
  SystemType: 215,
  /** 220 Service ready for new user. */
  ServiceReady: 220,
  /** 221 Service closing control connection. */
  ServiceClosing: 221,
  /** 225 Data connection open; no transfer in progress. */
  DataConnectionOpen: 225,
  /** 226 Closing data connection; requested file action successful. */
  ClosingDataConnection: 226,
  /** 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2). */
  EnteringPassiveMode: 227,
  /** 228 Entering Long Passive Mode (RFC 1639). */
  EnteringLongPassiveMode: 228,
  /** 229 Entering Extended Passive Mode (|||port|) (RFC 2428 3). */
  EnteringExtendedPassiveMode: 229,
  /** 230 User logged in, proceed. */
  UserLoggedIn: 230,
  /** 232 User logged in, authorized by security data exchange (RFC 2228). */
  UserLoggedInAuthorized: 232,
  /** 234 Security data exchange complete; AUTH TLS accepted (RFC 2228, RFC 4217 4.1). */
  SecurityExchangeComplete: 234,
  /** 235 Security data exchange completed successfully (RFC 2228). */
  SecurityExchangeSucceeded: 235,
  /** 250 Requested file action okay, completed. */
  FileActionOk: 250,
  /** 257 "PATHNAME" created (also PWD). */
  PathnameCreated: 257,
  /** 331 User name okay, need password. */
  NeedPassword: 331,
  /** 332 Need account for login. */
  NeedAccount: 332,
  /** 334 Security mechanism accepted, ADAT must follow (RFC 2228). */
  SecurityMechanismAccepted: 334,
  /** 335 Security data acceptable, more is required (RFC 2228). */
  SecurityDataAcceptable: 335,
  /** 336 Username okay, need password; challenge is ... (RFC 2228). */
  NeedPasswordChallenge: 336,
  /** 350 Requested file action pending further information (REST, RNFR). */
  PendingFurtherInformation: 350,
  /** 421 Service not available, closing control connection. */
  ServiceNotAvailable: 421,
  /** 425 Can't open data connection. */
  CannotOpenDataConnection: 425,
  /** 426 Connection closed; transfer aborted. */
  TransferAborted: 426,
  /** 431 Need some unavailable resource to process security (RFC 2228). */
  NeedUnavailableResource: 431,
  /** 450 Requested file action not taken; file unavailable (busy). */
  FileActionNotTaken: 450,
  /** 451 Requested action aborted: local error in processing. */
  LocalError: 451,
  /** 452 Requested action not taken; insufficient storage space. */
  InsufficientStorage: 452,
  /** 500 Syntax error, command unrecognized (also line too long). */
  SyntaxError: 500,
  /** 501 Syntax error in parameters or arguments. */
  SyntaxErrorInArguments: 501,
  /** 502 Command not implemented. */
  CommandNotImplemented: 502,
  /** 503 Bad sequence of commands. */
  BadSequence: 503,
  /** 504 Command not implemented for that parameter. */
  ParameterNotImplemented: 504,
  /** 522 Network protocol not supported, use (1,2) (RFC 2428 2). */
  NetworkProtocolNotSupported: 522,
  /** 530 Not logged in. */
  NotLoggedIn: 530,
  /** 532 Need account for storing files. */
  NeedAccountForStoring: 532,
  /** 533 Command protection level denied for policy reasons (RFC 2228). */
  ProtectionLevelDenied: 533,
  /** 534 Request denied for policy reasons (RFC 2228, RFC 4217 PROT C refused). */
  DeniedForPolicy: 534,
  /** 535 Failed security check (RFC 2228). */
  FailedSecurityCheck: 535,
  /** 536 Requested PROT level not supported by mechanism (RFC 2228). */
  ProtectionLevelNotSupported: 536,
  /** 537 Command protection level not supported by security mechanism (RFC 2228). */
  CommandProtectionNotSupported: 537,
  /** 550 Requested action not taken; file unavailable (not found, no access). */
  FileUnavailable: 550,
  /** 551 Requested action aborted: page type unknown. */
  PageTypeUnknown: 551,
  /** 552 Requested file action aborted; exceeded storage allocation. */
  ExceededStorageAllocation: 552,
  /** 553 Requested action not taken; file name not allowed. */
  FileNameNotAllowed: 553,
  /** 554 Requested action not taken: invalid REST parameter (RFC 3659 5.4). */
  InvalidRestParameter: 554,
  /** 555 Requested action not taken: type or stru mismatch (RFC 3659 5.4). */
  TypeOrStruMismatch: 555,
  /** 631 Integrity protected reply (RFC 2228). */
  IntegrityProtectedReply: 631,
  /** 632 Confidentiality and integrity protected reply (RFC 2228). */
  PrivateReply: 632,
  /** 633 Confidentiality protected reply (RFC 2228). */
  ConfidentialReply: 633,
} as const;

/** One of the named reply codes. */
export type ReplyCodeValue = (typeof ReplyCode)[keyof typeof ReplyCode];
