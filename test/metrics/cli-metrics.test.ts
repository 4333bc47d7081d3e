/**
 * `--metrics-listen` on `ftpgrid serve`, `master` and `slave`, each its own process: the
 * listeners come up on the given address (port 0: any free port, read from the output) and
 * answer scrapes after real transfers.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_TEST_MS, spawnCli, type CliChild } from '../cli/cli-process.js';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { scrape, seriesOf, valueOf } from './scrape.js';

const curlAvailable = hasTool('curl', '--version');
if (!curlAvailable) console.warn('metrics: curl is not installed; skipping the CLI metrics test (.ci/run installs it)');

let dir: TempDir;
const children: CliChild[] = [];

async function stop(child: CliChild): Promise<void> {
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
  await child.exited(15_000);
}

/** The port of the metrics listener, from pino's 'metrics listening' line. */
async function metricsPortFromLog(child: CliChild): Promise<number> {
  const match = await child.waitForStderr(/"port":(\d+)[^\n]*"msg":"metrics listening"/);
  return Number(match[1]);
}

describe.skipIf(!curlAvailable)('--metrics-listen on the command line', () => {
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-cli-metrics-');
  });
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await dir.remove();
  });

  it('ftpgrid serve: /metrics counts a curl upload and download', async () => {
    const root = join(dir.path, 'serve-root');
    await mkdir(root);
    const child = spawnCli(['serve', '--root', root, '--user', 'demo:demo', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--zero-copy', 'off']);
    children.push(child);
    const ftpPort = Number((await child.waitForStderr(/"port":(\d+)[^\n]*"msg":"listening"/))[1]);
    const port = await metricsPortFromLog(child);
    const local = join(dir.path, 'hello.txt');
    await writeFile(local, 'hello metrics\n');
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '-u', 'demo:demo', '-T', local, `ftp://127.0.0.1:${ftpPort}/hello.txt`]);
    await runToolOrThrow('curl', ['-sS', '--max-time', '30', '-u', 'demo:demo', '-o', `${local}.back`, `ftp://127.0.0.1:${ftpPort}/hello.txt`]);
    expect(await readFile(`${local}.back`, 'utf8')).toBe('hello metrics\n');
    const { samples } = await scrape(port);
    expect(seriesOf(samples, 'ftpgrid_transfers_total')).toEqual({ 'direction=upload,method=stream': 1, 'direction=download,method=stream': 1 });
    expect(seriesOf(samples, 'ftpgrid_transfer_bytes_total')).toEqual({ 'direction=upload,method=stream': 14, 'direction=download,method=stream': 14 });
    expect(valueOf(samples, 'ftpgrid_logins_total', { result: 'ok' })).toBe(2);
  }, CHILD_TEST_MS);

  it('ftpgrid master and slave: the master shows the slave online with its space and serves the status page', async () => {
    const secret = join(dir.path, 'secret');
    await writeFile(secret, 'a-cli-metrics-secret-0123456789\n');
    await chmod(secret, 0o600);
    const master = spawnCli(['master', '--listen', '127.0.0.1:0', '--cluster-listen', '127.0.0.1:0', '--secret-file', secret, '--state', join(dir.path, 'state'),
      '--user', 'alice:wonderland', '--metrics-listen', '127.0.0.1:0', '--shutdown-grace', '0']);
    children.push(master);
    const ports = await master.waitForStderr(/FTP on [\d.]+:\d+, slaves connect to [\d.]+:(\d+)/);
    const masterMetrics = Number((await master.waitForStderr(/status page on http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const root = join(dir.path, 'slave-root');
    await mkdir(root);
    const slave = spawnCli(['slave', '--master', `127.0.0.1:${ports[1] ?? ''}`, '--secret-file', secret, '--root', root, '--name', 'cli-slave',
      '--data-address', '127.0.0.1', '--metrics-listen', '127.0.0.1:0']);
    children.push(slave);
    const slaveMetrics = Number((await slave.waitForStderr(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
    const online = async (): Promise<boolean> => valueOf((await scrape(masterMetrics)).samples, 'ftpgrid_slaves', { state: 'online' }) === 1;
    expect(await waitFor(online, 30_000)).toBe(true);
    const { samples } = await scrape(masterMetrics);
    // The slave reports its disk from statfs: whatever the numbers, both series are there.
    expect(valueOf(samples, 'ftpgrid_slave_total_bytes', { slave: 'cli-slave' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'ftpgrid_slave_free_bytes', { slave: 'cli-slave' })).toBeGreaterThan(0);
    expect(await waitFor(async () => valueOf((await scrape(slaveMetrics)).samples, 'ftpgrid_master_connected') === 1, 10_000)).toBe(true);
    const status = (await (await fetch(`http://127.0.0.1:${masterMetrics}/api/status`)).json()) as { slaves: { name: string; state: string }[] };
    expect(status.slaves.map((s) => [s.name, s.state])).toEqual([['cli-slave', 'online']]);
    const page = await fetch(`http://127.0.0.1:${masterMetrics}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>ftpgrid master status</title>');
  }, CHILD_TEST_MS);
});
