import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, startFtps, type FtpsFixture } from '../support/tls-fixtures.js';
import { hasTool, runTool } from '../support/run-tool.js';

let fixture: FtpsFixture | undefined;
let work: string;
let payload: Buffer;
let source: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ftpgrid-ftps-clients-'));
  // Larger than any single TLS record or socket buffer, with every byte value.
  payload = randomBytes(700_000);
  source = join(work, 'source.bin');
  await writeFile(source, payload);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function expectRoundTrip(name: string, downloaded: string): Promise<void> {
  expect((await readFile(join(fixture!.root, name))).equals(payload)).toBe(true);
  expect((await readFile(downloaded)).equals(payload)).toBe(true);
}

const HAS_CURL = hasTool('curl');
const HAS_PYTHON = hasTool('python3');
const HAS_LFTP = hasTool('lftp');

describe.skipIf(!HAS_CURL)('curl', () => {
  it('explicit (--ssl-reqd): upload and download byte-identical, session resumed on data connections', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const url = `ftp://127.0.0.1:${fixture.port}`;
    const out = join(work, 'curl-explicit.bin');
    const common = ['--ssl-reqd', '-k', '-sS', '--user', `${USER}:${PASSWORD}`, '--max-time', '15'];
    const up = await runTool('curl', [...common, '-T', source, `${url}/curl-explicit.bin`]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const down = await runTool('curl', [...common, '-o', out, `${url}/curl-explicit.bin`]);
    expect(down.code).toBe(0);
    await expectRoundTrip('curl-explicit.bin', out);
  });

  it('explicit, TLS 1.3, reuse required: several transfers over one control connection (each ticket used once)', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const url = `ftp://127.0.0.1:${fixture.port}`;
    const names = ['multi-1.bin', 'multi-2.bin', 'multi-3.bin', 'multi-4.bin'];
    for (const name of names) await writeFile(join(fixture.root, name), payload);
    // One curl run, one control connection: OpenSSL clients spend each TLS 1.3 ticket once
    // (RFC 8446 appendix C.4), so every data connection after the second needs a new one.
    const args = ['--ssl-reqd', '--tlsv1.3', '-k', '-sS', '--user', `${USER}:${PASSWORD}`, '--max-time', '20'];
    for (const name of names) args.push('-o', join(work, `got-${name}`), `${url}/${name}`);
    const result = await runTool('curl', args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const name of names) expect((await readFile(join(work, `got-${name}`))).equals(payload)).toBe(true);
  });

  it('explicit limited to TLS 1.2 (session-id resumption): upload and download byte-identical with reuse required', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const url = `ftp://127.0.0.1:${fixture.port}`;
    const out = join(work, 'curl-tls12.bin');
    const common = ['--ssl-reqd', '--tls-max', '1.2', '-k', '-sS', '--user', `${USER}:${PASSWORD}`, '--max-time', '15'];
    const up = await runTool('curl', [...common, '-T', source, `${url}/curl-tls12.bin`]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const down = await runTool('curl', [...common, '-o', out, `${url}/curl-tls12.bin`]);
    expect(down.code).toBe(0);
    await expectRoundTrip('curl-tls12.bin', out);
  });

  it('implicit (ftps://): upload and download byte-identical', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const url = `ftps://127.0.0.1:${fixture.implicitPort}`;
    const out = join(work, 'curl-implicit.bin');
    const common = ['-k', '-sS', '--user', `${USER}:${PASSWORD}`, '--max-time', '15'];
    const up = await runTool('curl', [...common, '-T', source, `${url}/curl-implicit.bin`]);
    expect(up.code).toBe(0);
    const down = await runTool('curl', [...common, '-o', out, `${url}/curl-implicit.bin`]);
    expect(down.code).toBe(0);
    await expectRoundTrip('curl-implicit.bin', out);
  });

  // Active mode over TLS is exercised with lftp below: curl 7.87-7.88 (Debian 12's) never starts
  // TLS on an active data connection (curl/curl#10666, fixed by curl/curl#10669) and hangs.

  it('plain curl without TLS is refused under the login policy', async () => {
    fixture = await startFtps({ required: 'login' });
    const result = await runTool('curl', ['-sS', '--user', `${USER}:${PASSWORD}`, '--max-time', '10', `ftp://127.0.0.1:${fixture.port}/`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/530|denied|Access/i);
  });
});

// ftplib sends STOR, reads 150, then starts TLS on the data connection: when the server
// refuses the handshake the client sees an SSL error and the 425 comes on the control line.
const PYTHON_SCRIPT = `
import ftplib, socket, ssl, sys
port, src, dst, implicit = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == 'implicit'
class ImplicitFTP_TLS(ftplib.FTP_TLS):
    # ftplib has no implicit mode: wrap the socket before the greeting (login then skips AUTH).
    def connect(self, host, port):
        self.host, self.port = host, port
        raw = socket.create_connection((host, port), self.timeout)
        self.af = raw.family
        self.sock = self.context.wrap_socket(raw, server_hostname=host)
        self.file = self.sock.makefile('r', encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome
ftp = (ImplicitFTP_TLS if implicit else ftplib.FTP_TLS)(context=ssl._create_unverified_context(), timeout=10)
ftp.connect('127.0.0.1', port)
ftp.login('${USER}', '${PASSWORD}')
ftp.prot_p()
def final_code():
    try:
        return ftp.getresp()[:3]
    except ftplib.error_temp as e:
        return str(e)[:3]
try:
    with open(src, 'rb') as f:
        ftp.storbinary('STOR py.bin', f)
    with open(dst, 'wb') as f:
        ftp.retrbinary('RETR py.bin', f.write)
except ftplib.error_temp as e:
    print('REFUSED', str(e)[:3])
    sys.exit(3)
except (ssl.SSLError, OSError):
    print('REFUSED', final_code())
    sys.exit(3)
ftp.quit()
print('OK')
`;

describe.skipIf(!HAS_PYTHON)('python3 ftplib FTP_TLS + prot_p (never resumes TLS sessions)', () => {
  it.each(['explicit', 'implicit'])('%s: works when requireDataSessionReuse is off (the default)', async (mode) => {
    fixture = await startFtps({ required: 'all' });
    const out = join(work, `py-${mode}.bin`);
    const port = mode === 'implicit' ? fixture.implicitPort : fixture.port;
    const result = await runTool('python3', ['-c', PYTHON_SCRIPT, String(port), source, out, mode]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('OK');
    await expectRoundTrip('py.bin', out);
  });

  it('is refused with 425 when requireDataSessionReuse is on', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const out = join(work, 'py-refused.bin');
    const result = await runTool('python3', ['-c', PYTHON_SCRIPT, String(fixture.port), source, out, 'explicit']);
    expect(result.stdout.trim()).toBe('REFUSED 425');
    expect(result.code).toBe(3);
    await expect(readFile(join(fixture.root, 'py.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('basic-ftp', () => {
  it.each([
    ['explicit', true],
    ['implicit', 'implicit'],
  ] as const)('%s TLS: upload and download byte-identical with session reuse required', async (mode, secure) => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const client = new Client(10_000);
    const name = `basic-${mode}.bin`;
    const out = join(work, name);
    try {
      await client.access({
        host: '127.0.0.1',
        port: secure === 'implicit' ? fixture.implicitPort : fixture.port,
        user: USER,
        password: PASSWORD,
        secure,
        secureOptions: { rejectUnauthorized: false },
      });
      await client.uploadFrom(source, name);
      await client.downloadTo(out, name);
      const listing = await client.list();
      expect(listing.map((entry) => entry.name)).toContain(name);
    } finally {
      client.close();
    }
    await expectRoundTrip(name, out);
  });
});

describe.skipIf(!HAS_LFTP)('lftp', () => {
  const settings = [
    'set ftp:ssl-force true',
    'set ftp:ssl-protect-data true',
    'set ssl:verify-certificate no',
    'set net:max-retries 1',
    'set net:timeout 10',
    'set net:reconnect-interval-base 1',
    'set cmd:fail-exit true',
  ].join('; ');

  it('explicit (ftp:ssl-force): upload and download byte-identical with session reuse required', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const out = join(work, 'lftp-explicit.bin');
    const script = `${settings}; open -u ${USER},${PASSWORD} -p ${fixture.port} 127.0.0.1; put ${source} -o lftp-explicit.bin; get lftp-explicit.bin -o ${out}; bye`;
    const result = await runTool('lftp', ['-c', script], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectRoundTrip('lftp-explicit.bin', out);
  });

  it('explicit in active mode (ftp:passive-mode off): upload and download byte-identical', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const out = join(work, 'lftp-active.bin');
    const script = `${settings}; set ftp:passive-mode false; open -u ${USER},${PASSWORD} -p ${fixture.port} 127.0.0.1; put ${source} -o lftp-active.bin; get lftp-active.bin -o ${out}; bye`;
    const result = await runTool('lftp', ['-c', script], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectRoundTrip('lftp-active.bin', out);
  });

  it('implicit (ftps://): upload and download byte-identical', async () => {
    fixture = await startFtps({ required: 'all', requireDataSessionReuse: true });
    const out = join(work, 'lftp-implicit.bin');
    const script = `${settings}; open -u ${USER},${PASSWORD} ftps://127.0.0.1:${fixture.implicitPort}; put ${source} -o lftp-implicit.bin; get lftp-implicit.bin -o ${out}; bye`;
    const result = await runTool('lftp', ['-c', script], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await expectRoundTrip('lftp-implicit.bin', out);
  });
});
