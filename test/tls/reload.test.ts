import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FtpServer } from '../../src/server/index.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { MemoryAuthorizer, MemoryFileSystem } from '../../src/vfs/index.js';
import { RawClient } from '../support/ftp-control-client.js';
import { probe } from './helpers/tls-probe.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpgrid-ftps-reload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function controlFingerprint(port: number): Promise<string> {
  const { client } = await RawClient.connect(port);
  try {
    expect((await client.cmd('AUTH TLS')).code).toBe(234);
    const secure = await client.startTls();
    return secure.getPeerX509Certificate()?.fingerprint256 ?? '';
  } finally {
    client.close();
  }
}

describe('createServer with certificate files', () => {
  it('reloadCertificates() serves the renewed certificate on new connections (explicit and implicit); a broken file is refused and the old one kept', async () => {
    const first = await generateSelfSignedCertificate();
    const second = await generateSelfSignedCertificate();
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    await writeFile(certFile, first.cert);
    await writeFile(keyFile, first.key);
    const server: FtpServer = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: 'u', password: 'p', fs: new MemoryFileSystem() }] }),
      tls: { certFile, keyFile, implicit: { host: '127.0.0.1', port: 0 } },
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const implicitPort = server.implicitTlsAddress()?.port ?? -1;
    try {
      const fp1 = new X509Certificate(first.cert).fingerprint256;
      const fp2 = new X509Certificate(second.cert).fingerprint256;
      expect(await controlFingerprint(port)).toBe(fp1);
      expect(await probe(implicitPort)).toMatchObject({ ok: true, fingerprint: fp1 });
      await writeFile(certFile, second.cert);
      await writeFile(keyFile, second.key);
      await server.reloadCertificates();
      expect(await controlFingerprint(port)).toBe(fp2);
      expect(await probe(implicitPort)).toMatchObject({ ok: true, fingerprint: fp2 });
      await writeFile(keyFile, first.key);
      await expect(server.reloadCertificates()).rejects.toMatchObject({ code: 'tls-certificate-invalid' });
      expect(await controlFingerprint(port)).toBe(fp2);
    } finally {
      await server.close({ graceMs: 100 });
    }
  });

  it('listen() rejects with tls-certificate-read when the files are missing', async () => {
    const server = createServer({
      authorizer: new MemoryAuthorizer({ users: [{ name: 'u', password: 'p', fs: new MemoryFileSystem() }] }),
      tls: { certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'missing.key') },
    });
    await expect(server.listen({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({ code: 'tls-certificate-read' });
    expect(server.address()).toBeNull();
    await server.close({ graceMs: 0 });
  });

  it('createServer() refuses invalid tls options at once', () => {
    expect(() =>
      createServer({
        authorizer: new MemoryAuthorizer({ users: [{ name: 'u', password: 'p', fs: new MemoryFileSystem() }] }),
        tls: { selfSigned: true, required: 'never' as never },
      }),
    ).toThrow(/tls.required/);
  });
});
