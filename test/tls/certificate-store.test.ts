import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateStore } from '../../src/server/tls/certificate-store.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { TlsConfigError } from '../../src/server/tls/tls-config-error.js';
import { makePki, type TestPki } from './helpers/pki.js';
import { probe, startTlsEcho } from './helpers/tls-probe.js';

let dir: string;
let pki: TestPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-tls-'));
  pki = await makePki();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

async function files(name: string, cert: string, key: string): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  await writeFile(certFile, cert);
  await writeFile(keyFile, key);
  return { certFile, keyFile };
}

async function rejection(promise: Promise<unknown>): Promise<TlsConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TlsConfigError);
  return error as TlsConfigError;
}

describe('CertificateStore', () => {
  it('serves the chain appended to the certificate file, so clients trusting only the root verify it', async () => {
    const withChain = await CertificateStore.fromFiles(await files('chain', `${pki.leafCert}\n${pki.interCert}`, pki.leafKey));
    const leafOnly = await CertificateStore.fromFiles(await files('leaf', pki.leafCert, pki.leafKey));
    const a = await startTlsEcho(() => withChain.secureContext);
    const b = await startTlsEcho(() => leafOnly.secureContext);
    try {
      const good = await probe(a.port, { ca: pki.rootCert, rejectUnauthorized: true });
      expect(good).toMatchObject({ ok: true, authorized: true, fingerprint: fingerprintOf(pki.leafCert) });
      const bad = await probe(b.port, { ca: pki.rootCert, rejectUnauthorized: true });
      expect(bad).toEqual({ ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('takes intermediates from caFile too', async () => {
    const leaf = await files('leaf2', pki.leafCert, pki.leafKey);
    const caFile = join(dir, 'inter.pem');
    await writeFile(caFile, pki.interCert);
    const store = await CertificateStore.fromFiles({ ...leaf, caFile });
    const server = await startTlsEcho(() => store.secureContext);
    try {
      expect(await probe(server.port, { ca: pki.rootCert, rejectUnauthorized: true })).toMatchObject({ ok: true, authorized: true });
    } finally {
      await server.close();
    }
  });

  it('reload() swaps the certificate for new connections; a failed reload keeps the old one', async () => {
    const first = await generateSelfSignedCertificate();
    const second = await generateSelfSignedCertificate();
    const paths = await files('reload', first.cert, first.key);
    const store = await CertificateStore.fromFiles(paths);
    expect(store.reloadable).toBe(true);
    const server = await startTlsEcho(() => store.secureContext);
    try {
      expect(await probe(server.port)).toMatchObject({ ok: true, fingerprint: fingerprintOf(first.cert) });
      await files('reload', second.cert, second.key);
      await store.reload();
      expect(await probe(server.port)).toMatchObject({ ok: true, fingerprint: fingerprintOf(second.cert) });
      await writeFile(paths.certFile, 'not a certificate');
      expect((await rejection(store.reload())).code).toBe('tls-certificate-invalid');
      expect(await probe(server.port)).toMatchObject({ ok: true, fingerprint: fingerprintOf(second.cert) });
    } finally {
      await server.close();
    }
  });

  it('reports unreadable files and mismatched keys with stable codes', async () => {
    expect((await rejection(CertificateStore.fromFiles({ certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'missing.key') }))).code).toBe(
      'tls-certificate-read',
    );
    const other = await generateSelfSignedCertificate();
    expect((await rejection(CertificateStore.fromFiles(await files('mismatch', pki.leafCert, other.key)))).code).toBe('tls-certificate-invalid');
    expect(() => CertificateStore.fromPem({ cert: pki.leafCert, key: 'garbage' })).toThrow(TlsConfigError);
  });

  it('honours an abort signal while reading files', async () => {
    const paths = await files('abort', pki.leafCert, pki.leafKey);
    const error = await rejection(CertificateStore.fromFiles(paths, {}, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('tls-certificate-read');
  });

  it('refuses protocol versions below the floor and applies the cipher list', async () => {
    const generated = await generateSelfSignedCertificate();
    const tls12 = CertificateStore.fromPem(generated, { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256' });
    const tls13 = CertificateStore.fromPem(generated, { minVersion: 'TLSv1.3' });
    const a = await startTlsEcho(() => tls12.secureContext);
    const b = await startTlsEcho(() => tls13.secureContext);
    try {
      // SECLEVEL=0 lets the client offer TLS 1.1, so only the server's floor can refuse it.
      const old = await probe(a.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
      expect(old.ok).toBe(false);
      expect(await probe(a.port, { maxVersion: 'TLSv1.2' })).toMatchObject({ ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
      expect(await probe(a.port)).toMatchObject({ ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
      expect((await probe(b.port, { maxVersion: 'TLSv1.2' })).ok).toBe(false);
      expect(await probe(b.port)).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('generateSelfSignedCertificate', () => {
  it('makes a usable certificate valid for the given names and days', async () => {
    const generated = await generateSelfSignedCertificate({ commonName: 'ftp.test', altNames: ['ftp.test', '127.0.0.1'], days: 2 });
    const x509 = new X509Certificate(generated.cert);
    expect(x509.subject).toContain('CN=ftp.test');
    expect(x509.subjectAltName).toContain('DNS:ftp.test');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    const lifetime = Date.parse(x509.validTo) - Date.parse(x509.validFrom);
    expect(lifetime).toBe(2 * 86_400_000);
    expect(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(generated.key))).toBe(true);
  });

  it('supports RSA keys and refuses absurd validity', async () => {
    const rsa = await generateSelfSignedCertificate({ keyType: 'rsa' });
    expect(new X509Certificate(rsa.cert).publicKey.asymmetricKeyType).toBe('rsa');
    await expect(generateSelfSignedCertificate({ days: 0 })).rejects.toMatchObject({ code: 'tls-invalid-option' });
    await expect(generateSelfSignedCertificate({ days: 1.5 })).rejects.toMatchObject({ code: 'tls-invalid-option' });
  });
});
