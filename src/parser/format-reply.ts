const LINE_BREAK = /\r?\n/;

function splitLines(text: string | readonly string[]): string[] {
  const parts = typeof text === 'string' ? [text] : text;
  const lines = parts.flatMap((part) => part.split(LINE_BREAK));
  return lines.length === 0 ? [''] : lines;
}

/** A CR that does not end a line travels as `CR NUL` on a Telnet channel (RFC 854). */
function escapeCr(line: string): string {
  return line.includes('\r') ? line.replaceAll('\r', '\r\0') : line;
}

/**
 * Formats a reply, CRLF-terminated, per RFC 959 4.2. One line gives `123 text`; several give
 * `123-first`, the middle lines, then `123 last`.
 *
 * - LF and CRLF inside the text (string or array entries) start a new line of the reply, so
 *   nothing in `text` can end the reply early; any other CR is sent as `CR NUL`.
 * - A middle line that begins with a digit is prefixed with `123-`, so it can never be
 *   mistaken for the last line (RFC 959 asks to "pad the front"). Other middle lines are
 *   sent as they are: FEAT lines keep their single leading space (RFC 2389).
 *
 * @throws RangeError when `code` is not an integer from 100 to 699.
 * @example
 * ```ts
 * formatReply(200, 'OK');                          // '200 OK\r\n'
 * formatReply(211, ['Features:', ' MDTM', 'End']); // '211-Features:\r\n MDTM\r\n211 End\r\n'
 * ```
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  if (!Number.isInteger(code) || code < 100 || code > 699) {
    throw new RangeError(`Reply code must be an integer from 100 to 699, got ${code}`);
  }
  if (typeof text === 'string' && !text.includes('\n') && !text.includes('\r')) return `${code} ${text}\r\n`;
  const lines = splitLines(text).map(escapeCr);
  if (lines.length === 1) return `${code} ${lines[0] ?? ''}\r\n`;
  const last = lines.length - 1;
  let out = `${code}-${lines[0] ?? ''}\r\n`;
  for (let i = 1; i < last; i++) {
    const line = lines[i] ?? '';
    const first = line.charCodeAt(0);
    out += first >= 0x30 && first <= 0x39 ? `${code}-${line}\r\n` : `${line}\r\n`;
  }
  return `${out}${code} ${lines[last] ?? ''}\r\n`;
}

/**
 * Quotes a pathname for a 257 reply (RFC 959 Appendix II): wraps it in double quotes,
 * doubles every quote inside and writes each LF as NUL. (A CR is then sent as `CR NUL` by
 * {@link formatReply}.)
 *
 * @example
 * ```ts
 * formatReply(257, `${quotePathname('/say "hi"')} is the current directory`);
 * // '257 "/say ""hi""" is the current directory\r\n'
 * ```
 */
export function quotePathname(path: string): string {
  return `"${path.replaceAll('"', '""').replaceAll('\n', '\0')}"`;
}

/**
 * Reverses {@link quotePathname} on the text of a 257 reply (client side): the pathname
 * between the first quote and its closing quote, with `""` undoubled. `undefined` if absent.
 *
 * @example
 * ```ts
 * parseQuotedPathname('"/a ""b""" created'); // '/a "b"'
 * ```
 */
export function parseQuotedPathname(text: string): string | undefined {
  const start = text.indexOf('"');
  if (start === -1) return undefined;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch !== '"') {
      out += ch;
    } else if (text.charAt(i + 1) === '"') {
      out += '"';
      i++;
    } else {
      return out;
    }
  }
  return undefined;
}
