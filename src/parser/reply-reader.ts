import { ParseError } from './parse-error.js';

/** One complete reply read by a {@link ReplyReader}. */
export interface Reply {
  /** The three-digit reply code. */
  readonly code: number;
  /** The text of each line, without the code prefix and line end. */
  readonly lines: string[];
}

/** Options of {@link ReplyReader}. */
export interface ReplyReaderOptions {
  /** Longest accepted reply line in bytes. @default 65536 */
  readonly maxLineLength?: number | undefined;
  /** Most lines in one multi-line reply. @default 100000 */
  readonly maxLines?: number | undefined;
}

const FIRST_LINE = /^(\d{3})([ -]|$)/;

/**
 * Streaming, pure decoder of server replies (client side and tests): the inverse of
 * {@link formatReply}. Accepts LF or CRLF line ends, turns `CR NUL` back into CR and strips
 * the `123-` prefix from middle lines.
 *
 * @example
 * ```ts
 * const reader = new ReplyReader();
 * reader.push(new TextEncoder().encode('211-Features:\r\n MDTM\r\n211 End\r\n'));
 * // [{ code: 211, lines: ['Features:', ' MDTM', 'End'] }]
 * ```
 */
export class ReplyReader {
  readonly #maxLine: number;
  readonly #maxLines: number;
  readonly #decoder = new TextDecoder('utf-8');
  #pieces: Uint8Array[] = [];
  #pending = 0;
  #current: { code: number; prefix: string; lines: string[] } | undefined;

  constructor(options: ReplyReaderOptions = {}) {
    this.#maxLine = options.maxLineLength ?? 65536;
    this.#maxLines = options.maxLines ?? 100000;
  }

  /**
   * Decodes a chunk and returns the replies it completes.
   *
   * @throws {@link ParseError} `invalid-reply` when a line that should start a reply does
   * not begin with a code; `too-long` past the limits.
   */
  push(chunk: Uint8Array): Reply[] {
    const replies: Reply[] = [];
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf === -1) break;
      this.#append(chunk.subarray(start, lf));
      this.#line(this.#take(), replies);
      start = lf + 1;
    }
    this.#append(chunk.subarray(start));
    return replies;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#pending += bytes.length;
    if (this.#pending > this.#maxLine) throw new ParseError('too-long', 'Reply line too long');
    this.#pieces.push(bytes.slice());
  }

  #take(): string {
    const all = new Uint8Array(this.#pending);
    let offset = 0;
    for (const piece of this.#pieces) {
      all.set(piece, offset);
      offset += piece.length;
    }
    this.#pieces = [];
    this.#pending = 0;
    const text = this.#decoder.decode(all);
    return (text.endsWith('\r') ? text.slice(0, -1) : text).replaceAll('\r\0', '\r');
  }

  #line(line: string, replies: Reply[]): void {
    const current = this.#current;
    if (current === undefined) {
      const match = FIRST_LINE.exec(line);
      if (match === null) throw new ParseError('invalid-reply', 'Reply line does not start with a code');
      const code = Number(match[1]);
      const text = line.slice(4);
      if (match[2] === '-') this.#current = { code, prefix: match[1] ?? '', lines: [text] };
      else replies.push({ code, lines: [text] });
      return;
    }
    if (line === current.prefix || line.startsWith(`${current.prefix} `)) {
      current.lines.push(line.slice(4));
      this.#current = undefined;
      replies.push({ code: current.code, lines: current.lines });
      return;
    }
    if (current.lines.length >= this.#maxLines) throw new ParseError('too-long', 'Too many lines in one reply');
    current.lines.push(line.startsWith(`${current.prefix}-`) ? line.slice(4) : line);
  }
}
