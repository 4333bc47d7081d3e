/**
 * An independent parser of the RFC 3659 section 7.2 grammar, for tests: it shares no code with
 * `formatMlsxEntry` / `parseMlsxEntry`, so a mistake made in both cannot hide.
 *
 * ```
 * entry    = [ facts ] SP pathname
 * facts    = 1*( fact ";" )
 * fact     = factname "=" value
 * value    = *SCHAR
 * SCHAR    = RCHAR / "="
 * RCHAR    = ALPHA / DIGIT / "," / "." / ":" / "!" / "@" / "#" / "$" / "%" / "^" / "&" / "(" / ")"
 *            / "-" / "_" / "+" / "?" / "/" / "\" / "'" / DQUOTE
 * pathname = 1*( any character but CR and LF )      (RFC 3659 section 2.2, after escaping)
 * control-response = "250-" [ response-message ] CRLF 1*( SP entry CRLF ) "250" [ SP response-message ] CRLF
 * data-response    = *( entry CRLF )
 * ```
 */
const FACT_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const SCHAR = /^[A-Za-z0-9,.:!@#$%^&()\-_+?/\\'"=]*$/;

/** One entry parsed by the RFC grammar. */
export interface GrammarEntry {
  /** Facts by lower-case name. */
  readonly facts: ReadonlyMap<string, string>;
  readonly pathname: string;
}

/** Parses `entry`; throws with the reason when it does not match the grammar. */
export function parseEntryByGrammar(entry: string): GrammarEntry {
  const facts = new Map<string, string>();
  let at = 0;
  // Facts run up to the first SP; each one ends with ";".
  while (at < entry.length && entry[at] !== ' ') {
    const end = entry.indexOf(';', at);
    if (end === -1) throw new Error(`fact without ";" in ${JSON.stringify(entry)}`);
    const fact = entry.slice(at, end);
    const eq = fact.indexOf('=');
    if (eq <= 0) throw new Error(`fact without "=" in ${JSON.stringify(entry)}`);
    const name = fact.slice(0, eq);
    const value = fact.slice(eq + 1);
    if (!FACT_NAME.test(name)) throw new Error(`bad fact name ${JSON.stringify(name)}`);
    if (!SCHAR.test(value)) throw new Error(`bad fact value ${JSON.stringify(value)}`);
    if (facts.has(name.toLowerCase())) throw new Error(`fact ${name} twice`);
    facts.set(name.toLowerCase(), value);
    at = end + 1;
  }
  if (entry[at] !== ' ') throw new Error(`no SP before the pathname in ${JSON.stringify(entry)}`);
  const pathname = entry.slice(at + 1);
  if (pathname.length === 0) throw new Error('empty pathname');
  if (/[\r\n]/.test(pathname)) throw new Error('CR or LF in the pathname');
  return { facts, pathname };
}

/**
 * Parses the raw bytes of an MLST reply (`250-...CRLF SP entry CRLF 250 ...CRLF`) and returns
 * its one entry; throws when the reply does not match the grammar.
 */
export function parseMlstReplyByGrammar(raw: string): GrammarEntry {
  const lines = raw.split('\r\n');
  if (lines.pop() !== '') throw new Error('reply does not end with CRLF');
  const first = lines.shift();
  const last = lines.pop();
  if (!first?.startsWith('250-')) throw new Error(`bad first line ${JSON.stringify(first)}`);
  if (last === undefined || !/^250( |$)/.test(last)) throw new Error(`bad last line ${JSON.stringify(last)}`);
  if (lines.length !== 1) throw new Error(`expected one entry line, got ${lines.length}`);
  const line = lines[0] ?? '';
  if (!line.startsWith(' ')) throw new Error(`entry line does not start with SP: ${JSON.stringify(line)}`);
  return parseEntryByGrammar(line.slice(1));
}

/** Parses MLSD data (`*( entry CRLF )`); throws when it does not match the grammar. */
export function parseMlsdDataByGrammar(raw: string): GrammarEntry[] {
  if (raw === '') return [];
  if (!raw.endsWith('\r\n')) throw new Error('MLSD data does not end with CRLF');
  return raw.slice(0, -2).split('\r\n').map(parseEntryByGrammar);
}
