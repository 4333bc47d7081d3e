import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE, featureLines, helpVerbLines, lookupCommand, parseCommandLine } from '../../src/parser/index.js';

describe('parseCommandLine', () => {
  it('upper-cases the verb and keeps the argument exactly', () => {
    expect(parseCommandLine('stor  my file.txt ')).toEqual({ verb: 'STOR', arg: ' my file.txt ' });
    expect(parseCommandLine('Retr a')).toEqual({ verb: 'RETR', arg: 'a' });
    expect(parseCommandLine('PASV')).toEqual({ verb: 'PASV', arg: undefined });
    expect(parseCommandLine('NOOP ')).toEqual({ verb: 'NOOP', arg: undefined });
    expect(parseCommandLine('')).toEqual({ verb: '', arg: undefined });
    expect(parseCommandLine(' x')).toEqual({ verb: '', arg: 'x' });
  });

  it('folds ASCII letters only, so no non-ASCII verb becomes a known one', () => {
    expect(parseCommandLine('\u0131nfo').verb).toBe('\u0131NFO');
    expect(parseCommandLine('\u00dfite').verb).toBe('\u00dfITE');
    expect(lookupCommand(parseCommandLine('s\u0131te x').verb)).toBeUndefined();
  });

  it('verb + " " + arg gives back the line', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcXYZ'.split('')), minLength: 1, maxLength: 6 }), fc.string({ maxLength: 30 }), (verb, arg) => {
        const parsed = parseCommandLine(`${verb} ${arg}`);
        expect(parsed.verb).toBe(verb.toUpperCase());
        expect(parsed.arg).toBe(arg === '' ? undefined : arg);
      }),
    );
  });
});

const REQUIRED_VERBS = [
  // RFC 959
  ...'USER PASS ACCT CWD CDUP SMNT REIN QUIT PORT PASV TYPE STRU MODE RETR STOR STOU APPE ALLO REST RNFR RNTO ABOR DELE RMD MKD PWD LIST NLST SITE SYST STAT HELP NOOP'.split(' '),
  // RFC 2228 / 4217, 2389, 2428, 2640, 3659
  ...'AUTH ADAT PBSZ PROT CCC MIC CONF ENC FEAT OPTS EPRT EPSV LANG MDTM SIZE MLST MLSD'.split(' '),
  // aliases and de facto extensions
  ...'XCWD XCUP XMKD XRMD XPWD MFMT HASH XCRC XMD5 XSHA1 XSHA256 PRET CLNT'.split(' '),
];

describe('COMMAND_TABLE', () => {
  it('covers every required verb, keyed by its upper-case name', () => {
    for (const verb of REQUIRED_VERBS) expect(COMMAND_TABLE.get(verb)?.verb, verb).toBe(verb);
    for (const [key, spec] of COMMAND_TABLE) {
      expect(key).toBe(spec.verb);
      expect(spec.help).toMatch(new RegExp(`^Syntax: ${spec.verb}\\b`));
    }
  });

  it('points aliases at real verbs with the same rules', () => {
    const aliases = [...COMMAND_TABLE.values()].filter((s) => s.aliasOf !== undefined);
    expect(aliases.map((s) => s.verb).sort()).toEqual(['XCUP', 'XCWD', 'XMKD', 'XPWD', 'XRMD']);
    for (const alias of aliases) {
      const target = COMMAND_TABLE.get(alias.aliasOf ?? '');
      expect(target?.aliasOf).toBeUndefined();
      expect([alias.arg, alias.permission, alias.needsLogin]).toEqual([target?.arg, target?.permission, target?.needsLogin]);
    }
  });

  it('encodes the rules the session relies on', () => {
    expect(lookupCommand('retr')).toMatchObject({ arg: 'required', needsLogin: true, permission: 'read', opensDataConnection: true });
    expect(lookupCommand('USER')).toMatchObject({ needsLogin: false, arg: 'required' });
    expect(lookupCommand('PASV')).toMatchObject({ arg: 'none' });
    expect(lookupCommand('LIST')).toMatchObject({ arg: 'optional', permission: 'list', opensDataConnection: true });
    expect(lookupCommand('APPE')?.permission).toBe('append');
    expect(lookupCommand('MFMT')?.permission).toBe('setTime');
    expect(lookupCommand('MLST')?.permission).toBe('list');
    for (const verb of ['ABOR', 'STAT', 'QUIT', 'NOOP']) expect(lookupCommand(verb)?.allowedDuringTransfer, verb).toBe(true);
    for (const verb of ['RETR', 'STOR', 'DELE', 'PASV', 'PORT']) expect(lookupCommand(verb)?.allowedDuringTransfer, verb).toBe(false);
    for (const verb of ['AUTH', 'PBSZ', 'PROT', 'FEAT', 'OPTS', 'QUIT', 'HELP', 'NOOP']) expect(lookupCommand(verb)?.needsLogin, verb).toBe(false);
    const data = [...COMMAND_TABLE.values()].filter((s) => s.opensDataConnection).map((s) => s.verb).sort();
    expect(data).toEqual(['APPE', 'LIST', 'MLSD', 'NLST', 'RETR', 'STOR', 'STOU']);
    expect(lookupCommand('BOGUS')).toBeUndefined();
  });
});

describe('featureLines and helpVerbLines', () => {
  it('lists the features once, with switch-offs and an MLST override', () => {
    const lines = featureLines();
    expect(lines).toEqual(expect.arrayContaining(['UTF8', 'REST STREAM', 'MDTM', 'SIZE', 'EPSV', 'EPRT', 'AUTH TLS', 'PBSZ', 'PROT', 'TVFS', 'MFMT', 'PRET']));
    expect(lines.find((l) => l.startsWith('MLST '))).toMatch(/^MLST (?:[a-z.]+\*?;)+$/);
    expect(new Set(lines).size).toBe(lines.length);
    const plain = featureLines({ exclude: ['auth', 'PBSZ', 'PROT', 'CCC'], mlst: 'MLST type*;', extra: [] });
    expect(plain).not.toContain('AUTH TLS');
    expect(plain).toContain('MLST type*;');
    expect(plain).not.toContain('TVFS');
  });

  it('lays out every verb for HELP on lines that cannot look like replies', () => {
    const lines = helpVerbLines();
    for (const line of lines) expect(line).toMatch(/^ \S/);
    expect(lines.join(' ').split(/\s+/).filter(Boolean).sort()).toEqual([...COMMAND_TABLE.keys()].sort());
  });
});
