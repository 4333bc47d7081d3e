import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCliError } from '../../src/cli/cli-error.js';
import { parseIpAddress, parseListen, parseLogLevel, parsePortRange, parseUser, parseZeroCopy } from '../../src/cli/option-parsers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isCliError(error) ? error.code : 'not-a-cli-error';
  }
}

describe('parseListen', () => {
  it('accepts IPv4, bracketed IPv6, host names and :PORT', () => {
    expect(parseListen('127.0.0.1:2121')).toEqual({ host: '127.0.0.1', port: 2121 });
    expect(parseListen('[::1]:21')).toEqual({ host: '::1', port: 21 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListen(':2121')).toEqual({ host: '0.0.0.0', port: 2121 });
  });

  it.each(['', '2121', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:-1', 'a b:21', '::1:21', '[localhost]:21', '1.2.3.4:21x'])(
    'refuses %j with an invalid-option error',
    (value) => {
      expect(codeOf(() => parseListen(value))).toBe('invalid-option');
    },
  );

  it('round-trips every IPv4 address and port, and never throws anything but a CliError', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65_535 }), (host, port) => {
        expect(parseListen(`${host}:${port}`)).toEqual({ host, port });
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const code = codeOf(() => parseListen(value));
        expect(code === undefined || code === 'invalid-option').toBe(true);
      }),
    );
  });
});

describe('parsePortRange', () => {
  it('accepts ordered ranges in 1024-65535', () => {
    expect(parsePortRange('50000-50100')).toEqual({ min: 50_000, max: 50_100 });
    expect(parsePortRange('2000-2000')).toEqual({ min: 2000, max: 2000 });
  });

  it.each(['', '50000', '50100-50000', '1-2000', '2000-70000', 'a-b', '2000-3000-4000'])('refuses %j', (value) => {
    expect(codeOf(() => parsePortRange(value))).toBe('invalid-option');
  });

  it('accepts exactly the ordered pairs inside the allowed range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 70_000 }), (a, b) => {
        const valid = a >= 1024 && b <= 65_535 && a <= b;
        const code = codeOf(() => parsePortRange(`${a}-${b}`));
        expect(code === undefined).toBe(valid);
      }),
    );
  });
});

describe('parseUser', () => {
  it('splits on the first colon only', () => {
    expect(parseUser('demo:demo')).toEqual({ name: 'demo', password: 'demo' });
    expect(parseUser('a:b:c')).toEqual({ name: 'a', password: 'b:c' });
  });

  it.each(['demo', ':pw', 'demo:', 'de mo:pw', 'a\u0000:pw'])('refuses %j', (value) => {
    expect(codeOf(() => parseUser(value))).toBe('invalid-option');
  });

  it('never echoes the password in its error message', () => {
    try {
      parseUser(' bad name:secret-x');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('secret-x');
    }
  });
});

describe('small parsers', () => {
  it('checks IP addresses, zero-copy modes and log levels', () => {
    expect(parseIpAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(parseIpAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(codeOf(() => parseIpAddress('example.com'))).toBe('invalid-option');
    expect(parseZeroCopy('off')).toBe('off');
    expect(codeOf(() => parseZeroCopy('on'))).toBe('invalid-option');
    expect(parseLogLevel('debug')).toBe('debug');
    expect(codeOf(() => parseLogLevel('verbose'))).toBe('invalid-option');
  });
});
