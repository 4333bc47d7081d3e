import { describe, expect, it } from 'vitest';
import * as parser from '../../src/parser/index.js';

// The names the session team codes against (brief: "Agreed public API of src/parser").
const AGREED_FUNCTIONS = [
  'parseCommandLine',
  'lookupCommand',
  'formatReply',
  'quotePathname',
  'parsePortArgument',
  'formatPasvAddress',
  'parseEprtArgument',
  'formatEpsvPort',
  'normalizeIp',
  'formatListLine',
  'formatNlstLine',
  'parseMlstFactSelection',
  'formatMlsxEntry',
  'formatMlsxTime',
  'parseMlsxTime',
] as const;

describe('ftpgrid/parser public API', () => {
  it('exports every agreed name with the agreed kind', () => {
    for (const name of AGREED_FUNCTIONS) expect(typeof parser[name], name).toBe('function');
    expect(typeof parser.ControlDecoder).toBe('function');
    expect(typeof parser.ReplyReader).toBe('function');
    expect(new parser.ParseError('syntax', 'x')).toBeInstanceOf(Error);
    expect(parser.COMMAND_TABLE).toBeInstanceOf(Map);
    expect(parser.ReplyCode).toMatchObject({ RestartMarker: 110, FileStatusOk: 150, CommandOk: 200 });
    expect(Array.isArray(parser.SUPPORTED_MLST_FACTS)).toBe(true);
    expect(Array.isArray(parser.DEFAULT_MLST_FACTS)).toBe(true);
  });

  it('keeps the shared fact lists immutable', () => {
    expect(Object.isFrozen(parser.SUPPORTED_MLST_FACTS)).toBe(true);
    expect(Object.isFrozen(parser.DEFAULT_MLST_FACTS)).toBe(true);
  });
});
