/**
 * The master's live status page in a real browser: headless Chromium (Debian's `chromium`)
 * driven by playwright-core. A master with two slaves runs a throttled download while the page
 * is open; the page must show both slaves and the transfer, without a reload, and show a
 * hostile file name as text. A screenshot is kept under test-artifacts/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, USER, startInProcessCluster, type InProcessCluster } from '../cluster/helpers/in-process-cluster.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';

const CANDIDATES = [process.env.FTPGRID_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const executablePath = CANDIDATES.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
// .ci/run installs chromium: under CI its absence is a failure, not a skip.
if (executablePath === undefined && inCi) throw new Error('chromium missing under CI: .ci/run should have installed it (apt-get install chromium)');
if (executablePath === undefined) console.warn('status page: chromium is not installed; skipping the browser test (apt-get install chromium, or set FTPGRID_CHROMIUM)');
const curlAvailable = hasTool('curl', '--version');

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Server-side throttle of the relayed download: 1 MiB takes about 4 s, long enough to be seen. */
const RATE = 256 * 1024;
const HOSTILE = `<img src=x onerror="document.title='pwned'">.bin`;

let cluster: InProcessCluster;
let browser: Browser | undefined;

describe.skipIf(executablePath === undefined || !curlAvailable)('the master status page in headless Chromium', () => {
  beforeAll(async () => {
    cluster = await startInProcessCluster({
      slaves: 0,
      master: { metrics: { listen: { host: '127.0.0.1', port: 0 } }, dataPlane: { throttle: { perSessionBytesPerSecond: RATE } } },
    });
    for (const name of ['slave-a', 'slave-b']) {
      await mkdir(join(cluster.dir.path, name));
      await cluster.addSlave(name, undefined, { space: () => Promise.resolve({ freeBytes: 3 * 2 ** 30, totalBytes: 10 * 2 ** 30 }) });
    }
    if (executablePath === undefined) throw new Error('unreachable: the suite is skipped without chromium');
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: 30_000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await cluster.close();
  });

  it('shows both slaves and a running transfer live, and a hostile file name only as text', async () => {
    const address = cluster.master.metricsAddress();
    if (address === null || browser === undefined) throw new Error('no metrics listener or browser');
    // Upload straight to a slave (PRET: not throttled), then download through the throttled relay.
    const data = randomBytes(1024 * 1024);
    const local = join(cluster.dir.path, 'upload.bin');
    await writeFile(local, data);
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '--ftp-pret', '--disable-epsv', '-u', `${USER}:${PASSWORD}`, '-T', local,
      `ftp://127.0.0.1:${cluster.ftpPort}/${encodeURIComponent(HOSTILE)}`]);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${address.port}/`, { timeout: 15_000 });
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 15_000 });
    for (const name of ['slave-a', 'slave-b']) {
      const row = page.locator(`#slaves tr[data-slave="${name}"]`);
      await row.waitFor({ timeout: 15_000 });
      expect(await row.locator('td.name').textContent()).toBe(name);
      expect(await row.locator('.badge').textContent()).toBe('online');
    }

    const client = new Client(30_000);
    await client.access({ host: '127.0.0.1', port: cluster.ftpPort, user: USER, password: PASSWORD });
    let received = 0;
    const download = client.downloadTo(new Writable({ write: (chunk: Buffer, _encoding, done) => { received += chunk.length; done(); } }), HOSTILE);
    download.catch(() => undefined);
    try {
      // The page was not reloaded: the running transfer arrives through the live stream.
      const row = page.locator('#transfers tbody tr', { hasText: 'RETR' });
      await row.waitFor({ timeout: 15_000 });
      expect(await row.locator('td.path').textContent()).toBe(`/${HOSTILE}`);
      await page.locator('#transfers tbody tr td:nth-child(5)', { hasText: /[1-9][\d.]* KiB\/s/ }).waitFor({ timeout: 15_000 });
      expect(await page.locator('#transfers img, #recent img').count()).toBe(0);
      await mkdir(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'status-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`status page screenshot: ${shot}`);
    } finally {
      await download;
      client.close();
    }
    expect(received).toBe(data.length);
    // Once it ended it moves to the recent transfers, with the relay as its method.
    await page.locator('#recent tbody tr', { hasText: 'relay' }).waitFor({ timeout: 15_000 });
    expect(await page.title()).toBe('ftpgrid master status');
    for (const name of ['slave-a', 'slave-b']) expect(await page.locator('#events li', { hasText: new RegExp(`slave-joined\\s*${name}: online`) }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
