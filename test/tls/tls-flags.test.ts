import { describe, expect, it } from 'vitest';
import { tlsOptionsFromFlags, type TlsFlags } from '../../src/server/tls/tls-flags.js';
import { TlsConfigError } from '../../src/server/tls/tls-config-error.js';

describe('tlsOptionsFromFlags', () => {
  it('returns undefined when no flag asks for TLS', () => {
    expect(tlsOptionsFromFlags({})).toBeUndefined();
  });

  it('maps files, policy, implicit listener and session reuse', () => {
    expect(
      tlsOptionsFromFlags({ tlsCert: 'c.pem', tlsKey: 'k.pem', tlsRequired: 'all', implicitListen: { host: '0.0.0.0', port: 990 }, tlsRequireSessionReuse: true }),
    ).toEqual({ certFile: 'c.pem', keyFile: 'k.pem', required: 'all', implicit: { host: '0.0.0.0', port: 990 }, requireDataSessionReuse: true });
    expect(tlsOptionsFromFlags({ tlsSelfSigned: true })).toEqual({ selfSigned: true, required: 'optional' });
  });

  it.each<[string, TlsFlags, string]>([
    ['policy without certificate', { tlsRequired: 'all' }, '--tls-required'],
    ['implicit without certificate', { implicitListen: { host: '127.0.0.1', port: 990 } }, '--implicit-listen'],
    ['cert without key', { tlsCert: 'c.pem' }, '--tls-key'],
    ['both sources', { tlsCert: 'c.pem', tlsKey: 'k.pem', tlsSelfSigned: true }, '--tls-self-signed'],
    ['unknown level', { tlsSelfSigned: true, tlsRequired: 'sometimes' }, '--tls-required'],
  ])('refuses %s, naming the flag', (_name, flags, flag) => {
    expect(() => tlsOptionsFromFlags(flags)).toThrow(TlsConfigError);
    expect(() => tlsOptionsFromFlags(flags)).toThrow(flag);
  });
});
