import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTlsPolicy, type TlsServerOptions } from '../../src/server/tls/tls-server-options.js';
import { TlsConfigError } from '../../src/server/tls/tls-config-error.js';

describe('resolveTlsPolicy', () => {
  it('defaults: optional, TLS 1.2 floor, no session reuse requirement, 10 s handshake, no implicit listener', () => {
    expect(resolveTlsPolicy({ selfSigned: true })).toEqual({
      required: 'optional',
      requireTlsForLogin: false,
      requireTlsForData: false,
      minVersion: 'TLSv1.2',
      ciphers: undefined,
      requireDataSessionReuse: false,
      handshakeTimeoutMs: 10_000,
      implicit: undefined,
    });
  });

  it.each([
    ['optional', false, false],
    ['login', true, false],
    ['data', false, true],
    ['all', true, true],
  ] as const)('required=%s -> login %s, data %s', (required, login, data) => {
    const policy = resolveTlsPolicy({ selfSigned: true, required });
    expect(policy.requireTlsForLogin).toBe(login);
    expect(policy.requireTlsForData).toBe(data);
  });

  it('resolves the implicit listener with defaults', () => {
    expect(resolveTlsPolicy({ selfSigned: true, implicit: {} }).implicit).toEqual({ host: '127.0.0.1', port: 990 });
    expect(resolveTlsPolicy({ selfSigned: true, implicit: { host: '::1', port: 0 } }).implicit).toEqual({ host: '::1', port: 0 });
  });

  it.each<[string, TlsServerOptions]>([
    ['no source', {}],
    ['two sources', { selfSigned: true, cert: 'x', key: 'y' }],
    ['cert without key', { cert: 'x' }],
    ['certFile without keyFile', { certFile: 'a' }],
    ['caFile without certFile', { cert: 'x', key: 'y', caFile: 'c' }],
    ['bad requirement', { selfSigned: true, required: 'sometimes' as never }],
    ['TLS 1.1 floor', { selfSigned: true, minVersion: 'TLSv1.1' as never }],
    ['empty ciphers', { selfSigned: true, ciphers: ' ' }],
    ['zero handshake timeout', { selfSigned: true, handshakeTimeoutMs: 0 }],
    ['fractional handshake timeout', { selfSigned: true, handshakeTimeoutMs: 1.5 }],
    ['implicit port out of range', { selfSigned: true, implicit: { port: 70_000 } }],
    ['implicit empty host', { selfSigned: true, implicit: { host: '' } }],
  ])('refuses %s with tls-invalid-option', (_name, options) => {
    expect(() => resolveTlsPolicy(options)).toThrow(TlsConfigError);
    try {
      resolveTlsPolicy(options);
    } catch (error) {
      expect((error as TlsConfigError).code).toBe('tls-invalid-option');
    }
  });

  it('never throws anything but TlsConfigError, whatever a config file holds', () => {
    const anything = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined), fc.constant(null));
    fc.assert(
      fc.property(
        fc.record(
          {
            selfSigned: fc.oneof(fc.boolean(), fc.constant(undefined)),
            cert: anything,
            key: anything,
            certFile: anything,
            keyFile: anything,
            required: fc.oneof(fc.constantFrom('optional', 'login', 'data', 'all'), anything),
            minVersion: fc.oneof(fc.constantFrom('TLSv1.2', 'TLSv1.3'), anything),
            ciphers: anything,
            handshakeTimeoutMs: anything,
            implicit: fc.oneof(fc.constant(undefined), fc.record({ host: anything, port: anything }, { requiredKeys: [] })),
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          try {
            const policy = resolveTlsPolicy(raw as unknown as TlsServerOptions);
            expect(['optional', 'login', 'data', 'all']).toContain(policy.required);
            expect(policy.handshakeTimeoutMs).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(TlsConfigError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
