import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../cli/cli-process.js';
import { generateSelfSignedCertificate } from '../../src/server/tls/self-signed.js';
import { hasTool, runTool } from '../support/run-tool.js';
import { probe } from './helpers/tls-probe.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ftpgrid-ftps-cli-'));
  await writeFile(join(root, 'hello.txt'), 'hello over TLS\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasTool('curl'))('ftpgrid serve with FTPS flags', () => {
  it('--tls-self-signed --tls-required all --implicit-listen: explicit and implicit work, clear text is refused', async () => {
    const cli = spawnCli([
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--root',
      root,
      '--user',
      'demo:demo',
      '--tls-self-signed',
      '--tls-required',
      'all',
      '--implicit-listen',
      '127.0.0.1:0',
    ]);
    try {
      const serving = await cli.waitForStderr(/"port":(\d+),"implicitTls":\{"host":"127\.0\.0\.1","port":(\d+)\}.*"msg":"serving"/, 30_000);
      const [, port, implicitPort] = serving;
      const common = ['-sS', '-k', '-u', 'demo:demo', '--max-time', '10'];
      const explicit = await runTool('curl', [...common, '--ssl-reqd', `ftp://127.0.0.1:${port}/hello.txt`]);
      expect(explicit.stdout).toBe('hello over TLS\n');
      const implicit = await runTool('curl', [...common, `ftps://127.0.0.1:${implicitPort}/hello.txt`]);
      expect(implicit.stdout).toBe('hello over TLS\n');
      const clear = await runTool('curl', ['-sS', '-u', 'demo:demo', '--max-time', '10', `ftp://127.0.0.1:${port}/hello.txt`]);
      expect(clear.code).toBe(67);
      expect(clear.stdout).toBe('');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited();
    }
  });

  it('--tls-cert/--tls-key are re-read on SIGHUP', async () => {
    const first = await generateSelfSignedCertificate();
    const second = await generateSelfSignedCertificate();
    const certFile = join(root, 'cert.pem');
    const keyFile = join(root, 'key.pem');
    await writeFile(certFile, first.cert);
    await writeFile(keyFile, first.key);
    const cli = spawnCli(['serve', '--listen', '127.0.0.1:0', '--root', root, '--user', 'demo:demo', '--tls-cert', certFile, '--tls-key', keyFile, '--implicit-listen', '127.0.0.1:0']);
    try {
      const [, implicitPort] = await cli.waitForStderr(/"implicitTls":\{"host":"127\.0\.0\.1","port":(\d+)\}.*"msg":"serving"/, 30_000);
      const port = Number(implicitPort);
      expect(await probe(port)).toMatchObject({ ok: true, fingerprint: new X509Certificate(first.cert).fingerprint256 });
      await writeFile(certFile, second.cert);
      await writeFile(keyFile, second.key);
      cli.child.kill('SIGHUP');
      await cli.waitForStderr(/TLS certificates reloaded/, 10_000);
      expect(await probe(port)).toMatchObject({ ok: true, fingerprint: new X509Certificate(second.cert).fingerprint256 });
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited();
    }
  });

  it('--tls-required without a certificate is a usage error (exit 2)', async () => {
    const cli = spawnCli(['serve', '--root', root, '--user', 'demo:demo', '--tls-required', 'all']);
    expect(await cli.exited(30_000)).toBe(2);
    expect(cli.stderr()).toContain('--tls-required needs a certificate');
  });
});
