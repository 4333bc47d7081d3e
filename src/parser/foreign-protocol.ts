/**
 * Another protocol recognised on the FTP control connection: `http` (a request line), `tls`
 * (a TLS handshake record on a plain connection), `smtp`, `imap`.
 */
export type ForeignProtocol = 'http' | 'tls' | 'smtp' | 'imap';

// RFC 9110 section 3.1 methods; none is an FTP verb (FTP has DELE and OPTS, not DELETE and OPTIONS).
const HTTP_REQUEST = /^(?:GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH) \S+ HTTP\/\d(?:\.\d)?$/i;
// RFC 5321 verbs that FTP does not have, with their fixed syntax.
const SMTP_COMMAND = /^(?:HELO [^ ]+|EHLO [^ ]+|MAIL FROM:\s*<[^>]*>.*|RCPT TO:\s*<[^>]*>.*|STARTTLS|DATA)$/i;
// RFC 9051: tag SP command; the tag is never an FTP verb (checked by the caller's registry).
const IMAP_COMMAND = /^[A-Za-z0-9.]{1,16} (?:CAPABILITY|LOGIN \S+ \S+|AUTHENTICATE \S+.*|STARTTLS|LOGOUT|SELECT \S+|ID \(.*|ID NIL)$/i;

/**
 * Recognises a command line that is plainly another protocol's: an HTTP request line, an
 * SMTP command, an IMAP tagged command. These are what cross-protocol attacks (ALPACA and its
 * relatives) make a victim's client send to an FTP server, which must not keep talking.
 * The caller decides whether the line's first word is a verb it serves (an IMAP tag or a
 * custom command named like one) before acting on the answer.
 *
 * @example
 * ```ts
 * detectForeignLine('GET / HTTP/1.1');   // 'http'
 * detectForeignLine('EHLO example.com'); // 'smtp'
 * detectForeignLine('RETR GET');         // undefined
 * ```
 */
export function detectForeignLine(line: string): ForeignProtocol | undefined {
  if (HTTP_REQUEST.test(line)) return 'http';
  if (SMTP_COMMAND.test(line)) return 'smtp';
  if (IMAP_COMMAND.test(line)) return 'imap';
  return undefined;
}

/** TLS record type of a handshake (RFC 8446 section 5.1) and the major version byte of every TLS/SSL 3 record. */
const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;

/**
 * Recognises the first bytes a client sent on a plain control connection as a TLS handshake
 * record (an implicit-FTPS or HTTPS client on the explicit port). `undefined` when they are
 * not, or when fewer than two bytes are given.
 *
 * @example
 * ```ts
 * detectForeignPrefix(Uint8Array.of(0x16, 0x03, 0x01)); // 'tls'
 * ```
 */
export function detectForeignPrefix(bytes: Uint8Array): ForeignProtocol | undefined {
  return bytes.length >= 2 && bytes[0] === TLS_HANDSHAKE && bytes[1] === TLS_MAJOR ? 'tls' : undefined;
}
