/**
 * Stable codes of {@link ParseError}. The session maps them to replies: most are 501,
 * `unknown-family` is 522 (RFC 2428), `unsupported` is 504 (a valid parameter we do not
 * implement), `not-ipv4` means "answer EPSV instead".
 */
export type ParseErrorCode =
  | 'syntax'
  | 'octet-range'
  | 'port-range'
  | 'unknown-family'
  | 'invalid-address'
  | 'not-ipv4'
  | 'invalid-time'
  | 'unsupported'
  | 'unsafe-name'
  | 'invalid-reply'
  | 'too-long';

/**
 * The error thrown by the parser's strict decoders and formatters (addresses, times, names).
 * The streaming {@link ControlDecoder} never throws: it yields error items instead.
 *
 * @example
 * ```ts
 * try { parsePortArgument('1,2,3'); } catch (e) { if (e instanceof ParseError) e.code; } // 'syntax'
 * ```
 */
export class ParseError extends Error {
  /** Always `ParseError`. */
  override readonly name = 'ParseError';
  /** Stable, machine-readable code. */
  readonly code: ParseErrorCode;

  constructor(code: ParseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
