import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE, detectForeignLine, detectForeignPrefix } from '../../src/parser/index.js';

describe('detectForeignLine', () => {
  it.each([
    ['GET / HTTP/1.1', 'http'],
    ['post /upload HTTP/1.0', 'http'],
    ['OPTIONS * HTTP/1.1', 'http'],
    ['CONNECT example.com:443 HTTP/1.1', 'http'],
    ['EHLO mail.example.com', 'smtp'],
    ['HELO x', 'smtp'],
    ['MAIL FROM:<a@b.example>', 'smtp'],
    ['RCPT TO:<a@b.example>', 'smtp'],
    ['STARTTLS', 'smtp'],
    ['a001 LOGIN user pass', 'imap'],
    ['A1 CAPABILITY', 'imap'],
  ] as const)('recognises %j as %s', (line, protocol) => {
    expect(detectForeignLine(line)).toBe(protocol);
  });

  it.each(['RETR GET', 'GET', 'GET /', 'STOR / HTTP/1.1', 'HELP STARTTLS', 'SITE HELP', 'USER anonymous', 'PASS x', 'MAIL', 'DELE HTTP/1.1'])(
    'leaves the FTP line %j alone',
    (line) => {
      // The IMAP form needs the caller's check: "HELP STARTTLS" has the shape "tag STARTTLS".
      const found = detectForeignLine(line);
      const verb = line.split(' ')[0]?.toUpperCase() ?? '';
      expect(found === undefined || (found === 'imap' && COMMAND_TABLE.has(verb))).toBe(true);
    },
  );

  it('never calls a line foreign when its verb is an FTP command that is not an IMAP tag look-alike (property)', () => {
    const verbs = [...COMMAND_TABLE.keys()];
    fc.assert(
      fc.property(fc.constantFrom(...verbs), fc.string({ maxLength: 40 }), (verb, arg) => {
        const found = detectForeignLine(`${verb} ${arg}`);
        expect(found === undefined || found === 'imap').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('detectForeignPrefix', () => {
  it('recognises a TLS handshake record and nothing else', () => {
    expect(detectForeignPrefix(Uint8Array.of(0x16, 0x03, 0x01, 0x02))).toBe('tls');
    expect(detectForeignPrefix(Uint8Array.of(0x16))).toBeUndefined();
    expect(detectForeignPrefix(new TextEncoder().encode('USER a\r\n'))).toBeUndefined();
  });
});
