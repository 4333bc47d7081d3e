/** Options of {@link ControlDecoder}. */
export interface ControlDecoderOptions {
  /**
   * Longest accepted command line in bytes, after Telnet sequences are removed and without
   * the line end. Longer lines yield one `too-long` item and are skipped up to the next LF.
   * Must be an integer from 16 to 1 MiB. @default 4096 (vsftpd's cap)
   */
  readonly maxLineLength?: number | undefined;
  /**
   * How line bytes become text. `utf-8` (RFC 2640) reports invalid sequences as
   * `invalid-utf8` items; `latin1` maps every byte to one code point (after `OPTS UTF8 OFF`).
   * @default 'utf-8'
   */
  readonly encoding?: ControlEncoding | undefined;
}

/** Text encodings a {@link ControlDecoder} understands. */
export type ControlEncoding = 'utf-8' | 'latin1';

/** Why a line was rejected by the {@link ControlDecoder}. */
export type DecodeErrorCode = 'too-long' | 'nul' | 'bare-cr' | 'invalid-utf8';

/** A command line out of the {@link ControlDecoder}. */
export interface DecodedLine {
  /** Discriminant. */
  readonly kind: 'line';
  /** The line, without CR LF and Telnet sequences, decoded. */
  readonly line: string;
}

/** A line the {@link ControlDecoder} refused. */
export interface DecodeError {
  /** Discriminant. */
  readonly kind: 'error';
  /** Why: the session answers 500 for `too-long`, 501 otherwise. */
  readonly code: DecodeErrorCode;
  /** A short English description, safe to send to the client. */
  readonly message: string;
}

/**
 * One item out of {@link ControlDecoder.push}: a command line (line end and Telnet
 * sequences removed, decoded), or an error for a line that must be refused (reply 500/501).
 * Every input line yields exactly one item.
 */
export type DecodedItem = DecodedLine | DecodeError;

/** Checked at run time too: plain JavaScript callers reach this with anything. */
const ENCODINGS: ReadonlySet<string> = new Set<ControlEncoding>(['utf-8', 'latin1']);
const DEFAULT_MAX_LINE = 4096;
/** First size of the line buffer (grown by doubling up to the maximum line length). */
const INITIAL_LINE = 128;
const MIN_MAX_LINE = 16;
const MAX_MAX_LINE = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
/** The lowest Telnet command code (SE); bytes below it after an IAC are not commands. */
const FIRST_COMMAND = SE;
const WILL = 0xfb;
const IP = 0xf4;
const DM = 0xf2;
/** `ABOR` in ASCII: the one line that may end at its CR (see {@link ControlDecoder}). */
const ABOR = [0x41, 0x42, 0x4f, 0x52] as const;
const DONT = 0xfe;

/** Telnet parser states (RFC 854). */
const enum Telnet {
  Data,
  /** After IAC. */
  Command,
  /** After IAC WILL/WONT/DO/DONT: the option byte comes next. */
  Option,
  /** Inside IAC SB ... IAC SE. */
  Sub,
  /** After IAC inside a subnegotiation. */
  SubCommand,
}

const MESSAGES: Readonly<Record<DecodeErrorCode, string>> = {
  'too-long': 'Command line too long',
  nul: 'NUL character in command line',
  'bare-cr': 'CR not followed by LF in command line',
  'invalid-utf8': 'Command line is not valid UTF-8',
};

/** ISO-8859-1, byte for code point (the WHATWG `latin1` label is windows-1252, which is not). */
function decodeLatin1(bytes: Uint8Array): string {
  // A command line fits in one call (no slice of the slice).
  if (bytes.length <= 8192) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    // apply takes the typed array as it is; spreading it would go through the iterator.
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

function errorItem(code: DecodeErrorCode): DecodedItem {
  return { kind: 'error', code, message: MESSAGES[code] };
}

/** The line buffer of a decoder that holds no unfinished line. */
const EMPTY = new Uint8Array(0);

/**
 * One line buffer for every decoder, used while a chunk is decoded: `push` is synchronous, so
 * no two decoders ever use it at once. Only a line still unfinished when `push` returns is
 * copied into a buffer of the decoder's own, so a decoder between commands (an idle
 * session) holds no buffer at all. Grown like a decoder's own buffer, never beyond the
 * largest `maxLineLength` in use.
 */
let scratch = new Uint8Array(INITIAL_LINE);

let sharedUtf8: { decode(bytes: Uint8Array): string } | undefined;

/**
 * One UTF-8 decoder for every control decoder: each call decodes a whole line (no `stream`
 * state is carried between calls), so it can be shared, and an idle session holds none.
 */
function utf8(): { decode(bytes: Uint8Array): string } {
  sharedUtf8 ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return sharedUtf8;
}

/**
 * Streaming decoder of the FTP control channel (client to server). Push bytes as they
 * arrive; get whole command lines back.
 *
 * - Lines end in CRLF; a bare LF is accepted too. A CR not followed by LF (including the
 *   Telnet `CR NUL`) makes the line an error item, and so does a NUL byte.
 * - Telnet commands are removed: `IAC IAC` is a data byte 0xFF, `IAC WILL/WONT/DO/DONT x`
 *   three bytes, `IAC SB ... IAC SE` the whole subnegotiation (a LF inside one ends it, so a
 *   broken client cannot stall resynchronisation), any other Telnet command `IAC x` (IP, DM,
 *   AO, ...; x >= 0xF0) two bytes. This is what RFC 959 expects clients to send before ABOR.
 *   An IAC followed by a byte that is no Telnet command is dropped and the byte kept: that is
 *   what remains of `IAC DM` when the DM travelled as urgent data and the kernel removed it.
 *   Likewise a DM byte right after `IAC IP` is dropped (the BSD client sends `IAC IP IAC` as
 *   urgent data, so its last IAC is the byte that goes out of band).
 * - A line that is exactly `ABOR` ends at its CR, and a LF or NUL right after that CR is
 *   dropped: Python's `ftplib.abort()` sends the whole line as urgent data, so its last byte,
 *   the LF, never reaches a socket without `SO_OOBINLINE` (which Node cannot set).
 * - Memory is bounded by `maxLineLength`: the byte that overflows it yields a `too-long`
 *   item at once, the rest of that line is dropped without being stored.
 * - Items do not depend on how the bytes were chunked, and `push` never throws.
 *
 * @example
 * ```ts
 * const decoder = new ControlDecoder({ maxLineLength: 1024 });
 * decoder.push(new TextEncoder().encode('USER anna\r\nPASS se'));  // [{ kind: 'line', line: 'USER anna' }]
 * decoder.push(new TextEncoder().encode('cret\r\n'));              // [{ kind: 'line', line: 'PASS secret' }]
 * ```
 */
export class ControlDecoder {
  readonly #max: number;
  /** The current line's bytes: the shared scratch buffer during `push`, else its own copy of an unfinished line (or nothing). */
  #line: Uint8Array = EMPTY;
  #encoding: ControlEncoding;
  #length = 0;
  #telnet: Telnet = Telnet.Data;
  /** A CR was the last data byte: decided by the next one. */
  #pendingCr = false;
  /** First fault seen on the current line, reported at its end. */
  #fault: DecodeErrorCode | undefined;
  /** The current line overflowed and was already reported: drop bytes until LF. */
  #discarding = false;
  /** The current line has a byte >= 0x80 (ASCII lines skip the slower UTF-8 decoder). */
  #nonAscii = false;
  /** The last Telnet command was IP: a DM whose IAC went out of band may follow. */
  #afterInterrupt = false;
  /** An ABOR line just ended at its CR: a following LF or NUL belongs to it. */
  #aborEnded = false;

  constructor(options: ControlDecoderOptions = {}) {
    const max = options.maxLineLength ?? DEFAULT_MAX_LINE;
    if (!Number.isInteger(max) || max < MIN_MAX_LINE || max > MAX_MAX_LINE) {
      throw new RangeError(`maxLineLength must be an integer from ${MIN_MAX_LINE} to ${MAX_MAX_LINE}, got ${max}`);
    }
    const encoding = options.encoding ?? 'utf-8';
    if (!ENCODINGS.has(encoding)) {
      throw new RangeError(`encoding must be 'utf-8' or 'latin1', got ${JSON.stringify(encoding)}`);
    }
    this.#max = max;
    this.#encoding = encoding;
  }

  /** Bytes held for the current, unfinished line (never more than `maxLineLength`). */
  get bufferedBytes(): number {
    return this.#length;
  }

  /** The encoding used for the following lines. */
  get encoding(): ControlEncoding {
    return this.#encoding;
  }

  /** Switches the text encoding for the following lines (`OPTS UTF8 ON/OFF`). */
  setEncoding(encoding: ControlEncoding): void {
    if (ENCODINGS.has(encoding)) this.#encoding = encoding;
  }

  /**
   * Drops the unfinished line and any Telnet state. Call right after `AUTH TLS` succeeds:
   * plaintext pipelined behind it must never be executed once the channel is encrypted.
   */
  reset(): void {
    this.#length = 0;
    this.#line = EMPTY;
    this.#telnet = Telnet.Data;
    this.#pendingCr = false;
    this.#fault = undefined;
    this.#discarding = false;
    this.#nonAscii = false;
    this.#afterInterrupt = false;
    this.#aborEnded = false;
  }

  /**
   * Decodes a chunk. Returns the items completed by it, in order: appended to `into` when
   * given (a queue the caller keeps, so a chunk costs no array of its own), else in a new
   * array. Never throws.
   */
  push(chunk: Uint8Array, into?: DecodedItem[]): DecodedItem[] {
    const items = into ?? [];
    if (this.#length === 0) this.#line = scratch;
    this.#decode(chunk, items);
    if (this.#length === 0) {
      this.#line = EMPTY;
    } else if (this.#line === scratch) {
      // An unfinished line outlives this call: it moves to a buffer of its own.
      this.#line = scratch.slice(0, Math.max(INITIAL_LINE, this.#length));
    }
    return items;
  }

  #decode(chunk: Uint8Array, items: DecodedItem[]): void {
    // An index loop: `for...of` allocated an iterator per chunk (one per command line).
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- see above
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] ?? 0;
      switch (this.#telnet) {
        case Telnet.Data:
          if (byte === IAC) this.#telnet = Telnet.Command;
          else if (this.#afterInterrupt && byte === DM) this.#afterInterrupt = false;
          else this.#data(byte, items);
          break;
        case Telnet.Command:
          this.#telnet = Telnet.Data;
          this.#afterInterrupt = byte === IP;
          if (byte === IAC) this.#data(IAC, items);
          // A lone IAC before an ordinary byte: its partner was lost, typically the DM of a
          // Synch sent as TCP urgent data, which the kernel takes out of the stream. The byte
          // is data (lftp's `IAC IP IAC` + `ABOR` must stay ABOR, not become BOR).
          else if (byte < FIRST_COMMAND) this.#data(byte, items);
          else if (byte >= WILL && byte <= DONT) this.#telnet = Telnet.Option;
          else if (byte === SB) this.#telnet = Telnet.Sub;
          break;
        case Telnet.Option:
          this.#telnet = Telnet.Data;
          break;
        case Telnet.Sub:
        case Telnet.SubCommand:
          this.#sub(byte, items);
          break;
      }
    }
  }

  #sub(byte: number, items: DecodedItem[]): void {
    if (byte === LF) {
      this.#telnet = Telnet.Data;
      this.#data(LF, items);
    } else if (this.#telnet === Telnet.SubCommand) {
      this.#telnet = byte === SE ? Telnet.Data : Telnet.Sub;
    } else if (byte === IAC) {
      this.#telnet = Telnet.SubCommand;
    }
  }

  #data(byte: number, items: DecodedItem[]): void {
    this.#afterInterrupt = false;
    if (this.#aborEnded) {
      this.#aborEnded = false;
      if (byte === LF || byte === NUL) return;
    }
    if (byte === LF) {
      this.#pendingCr = false;
      this.#endLine(items);
      return;
    }
    if (this.#pendingCr) {
      this.#pendingCr = false;
      this.#fault ??= 'bare-cr';
      this.#store(CR, items);
    }
    if (byte === CR) {
      if (this.#isAbor()) {
        this.#aborEnded = true;
        this.#endLine(items);
        return;
      }
      this.#pendingCr = true;
      return;
    }
    if (byte === NUL) this.#fault ??= 'nul';
    this.#store(byte, items);
  }

  /** The current line is exactly `ABOR` (any case) with no fault. */
  #isAbor(): boolean {
    if (this.#length !== ABOR.length || this.#fault !== undefined || this.#discarding) return false;
    // OR 0x20 folds ASCII letters to lower case; the constants are upper case.
    return ABOR.every((letter, index) => ((this.#line[index] ?? 0) | 0x20) === (letter | 0x20));
  }

  #store(byte: number, items: DecodedItem[]): void {
    if (this.#discarding) return;
    if (this.#length === this.#max) {
      this.#discarding = true;
      this.#length = 0;
      items.push(errorItem('too-long'));
      return;
    }
    if (this.#length === this.#line.length) {
      const grown = new Uint8Array(Math.min(this.#max, Math.max(INITIAL_LINE, this.#line.length * 2)));
      grown.set(this.#line);
      if (this.#line === scratch) scratch = grown;
      this.#line = grown;
    }
    this.#line[this.#length++] = byte;
    this.#nonAscii ||= byte >= 0x80;
  }

  #endLine(items: DecodedItem[]): void {
    const bytes = this.#line.subarray(0, this.#length);
    const fault = this.#fault;
    const discarded = this.#discarding;
    const nonAscii = this.#nonAscii;
    this.#length = 0;
    this.#nonAscii = false;
    this.#fault = undefined;
    this.#discarding = false;
    if (discarded) return;
    if (fault !== undefined) {
      items.push(errorItem(fault));
      return;
    }
    if (this.#encoding === 'latin1' || !nonAscii) {
      items.push({ kind: 'line', line: decodeLatin1(bytes) });
      return;
    }
    try {
      items.push({ kind: 'line', line: utf8().decode(bytes) });
    } catch {
      items.push(errorItem('invalid-utf8'));
    }
  }
}
