/** A command line split into its verb and argument. */
export interface ParsedCommand {
  /** The verb in upper case (ASCII letters only are folded), e.g. `RETR`. */
  readonly verb: string;
  /**
   * Everything after the first space, byte for byte: leading, inner and trailing spaces of
   * file names are kept. `undefined` when there is no argument (no space, or nothing after it).
   */
  readonly arg: string | undefined;
}

/**
 * Splits a decoded command line (RFC 959 5.3: `<verb> [<SP> <argument>]`) into an upper-case
 * verb and the exact argument. Never throws; an unknown or empty verb is for the caller to
 * refuse (500).
 *
 * @example
 * ```ts
 * parseCommandLine('stor  my file.txt '); // { verb: 'STOR', arg: ' my file.txt ' }
 * parseCommandLine('PASV');               // { verb: 'PASV', arg: undefined }
 * ```
 */
export function parseCommandLine(line: string): ParsedCommand {
  const space = line.indexOf(' ');
  const rawVerb = space === -1 ? line : line.slice(0, space);
  const arg = space === -1 || space === line.length - 1 ? undefined : line.slice(space + 1);
  return { verb: asciiUpper(rawVerb), arg };
}

/** Upper-cases ASCII letters only, so `ß` or the Turkish dotless i never turn into a valid verb. */
export function asciiUpper(text: string): string {
  let first = 0;
  while (first < text.length) {
    const code = text.charCodeAt(first);
    if (code >= 0x61 && code <= 0x7a) break;
    first++;
  }
  // Clients send verbs in upper case: then the text is the answer, no new string.
  if (first === text.length) return text;
  let out = text.slice(0, first);
  for (let i = first; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code >= 0x61 && code <= 0x7a ? String.fromCharCode(code - 0x20) : text.charAt(i);
  }
  return out;
}
