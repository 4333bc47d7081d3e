import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from '../../src/testing/fs-helpers.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { startTestServer, type TestServer } from '../support/start-test-server.js';

const available = hasTool('python3');
const lftpAvailable = hasTool('lftp', '--version');
if (!lftpAvailable) console.warn('interop: lftp is not installed; skipping its ABOR test (.ci/run installs it)');
if (!available) console.warn('interop: python3 is not installed; skipping the urgent-data ABOR tests (.ci/run installs it)');

const SCRIPT = fileURLToPath(new URL('fixtures/abort_urgent.py', import.meta.url));

interface AbortReport {
  readonly received: number;
  readonly first: string;
  readonly second: string;
  readonly noop: string;
  readonly quit: string;
}

/**
 * ABOR as real clients send it (RFC 959 section 4.1.3): with Telnet IP and Synch, part of it
 * as TCP urgent data, which Linux takes out of the stream without SO_OOBINLINE.
 */
describe.skipIf(!available)('interop: ABOR with Telnet IP, Synch and urgent data', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ local: true });
    // Far more than loopback socket buffers hold, so the transfer is still running at ABOR.
    await writeFile(t.fs, '/big.bin', Buffer.alloc(48 * 1024 * 1024, 7));
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['ftplib', 'lftp', 'bsd'])('aborts the running download (%s style): 426, then 226, and the session goes on', async (style) => {
    const { stdout } = await runToolOrThrow('python3', [SCRIPT, '127.0.0.1', String(t.port), 'alice', 'secret', 'big.bin', style]);
    const report = JSON.parse(stdout) as AbortReport;
    expect(report.received).toBeGreaterThan(0);
    expect(report.first).toMatch(/^426 /);
    expect(report.second).toMatch(/^226 /);
    expect(report.noop).toMatch(/^200 /);
    expect(report.quit).toMatch(/^221 /);
  });
});

describe.skipIf(!lftpAvailable)('interop: lftp interrupting a download', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ local: true });
    await writeFile(t.fs, '/big.bin', Buffer.alloc(48 * 1024 * 1024, 7));
  });
  afterAll(async () => {
    await t.close();
  });

  it('gets ABOR (sent after IAC IP and an urgent Synch) understood, and the session goes on', async () => {
    const verbs: string[] = [];
    t.server.on('command', (event) => {
      verbs.push(event.verb);
    });
    // `head` closes the pipe after 10 bytes: lftp interrupts the transfer with its ABOR sequence.
    const script = `set net:max-retries 1; set net:timeout 5; open -u alice,secret ftp://127.0.0.1:${t.port}; cat big.bin | head -c 10 > /dev/null; cls -1; quit`;
    const { stdout } = await runToolOrThrow('lftp', ['-c', script]);
    expect(stdout).toBe('big.bin\n');
    const retr = verbs.indexOf('RETR');
    expect(retr).toBeGreaterThan(0);
    expect(verbs.slice(retr + 1, retr + 2)).toEqual(['ABOR']);
    expect(verbs).not.toContain('BOR');
  });
});
