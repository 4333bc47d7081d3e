import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTypeScript, type CliChild } from '../cli/cli-process.js';
import { makeTempDir, type TempDir } from '../support/temp-dir.js';

const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SECRET = 'examples-test-secret-0123456789abcdef';

async function roundTrip(port: number, name: string, data: Buffer): Promise<Buffer> {
  const client = new Client(15_000);
  try {
    await client.access({ host: '127.0.0.1', port, user: 'alice', password: 's3cret' });
    await client.uploadFrom(Readable.from([data]), name);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    await client.downloadTo(sink, name);
    return Buffer.concat(chunks);
  } finally {
    client.close();
  }
}

async function stop(child: CliChild): Promise<number | string> {
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
  return child.exited(15_000);
}

// The examples are documentation: running them keeps them working, not just compiling.
describe('cluster examples run as documented', () => {
  let dir: TempDir;
  const children: CliChild[] = [];
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-cluster-examples-');
  });
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await dir.remove();
  });

  it('local-cluster.ts runs a master and two slaves in one process', async () => {
    const child = spawnTypeScript(example('local-cluster.ts'), [], { FTP_PORT: '0' });
    children.push(child);
    const match = await child.waitForStdout(/listening on ftp:\/\/127\.0\.0\.1:(\d+)\/ with 2 slaves/, 30_000);
    const data = randomBytes(200_000);
    expect(sha(await roundTrip(Number(match[1]), 'local.bin', data))).toBe(sha(data));
    expect(await stop(child)).toBe(0);
    expect(child.stdout()).toContain('stopped');
  }, 60_000);

  it('dfs-client.ts stores, reads, describes and deletes files through the DFS client', async () => {
    const child = spawnTypeScript(example('dfs-client.ts'), []);
    children.push(child);
    expect(await child.exited(90_000)).toBe(0);
    const out = child.stdout();
    expect(out).toMatch(/stored \/notes\/hello\.txt \(15 bytes\) on slave-[ab]/);
    expect(out).toMatch(/stored 3145728 bytes under the generated id \/photos\/[0-9a-f]{2}\/[0-9a-f]{2}\/[\w-]+\.jpg/);
    expect(out).toContain('read 16 bytes at offset 1024');
    expect(out).toContain('read back: hello, cluster');
    expect(out).toContain('metadata: {"camera":"pinhole","width":"640"}');
    expect(out).toContain('listed /notes/hello.txt (file, 15 bytes)');
    expect(out).toContain('after delete: not-found');
    expect(out).toContain('done');
  }, 120_000);

  it('master.ts with slave.ts and custom-slave.ts as separate processes', async () => {
    const env = { CLUSTER_SECRET: SECRET, FTP_PORT: '0', CLUSTER_PORT: '0', STATE_DIR: join(dir.path, 'state') };
    const master = spawnTypeScript(example('master.ts'), [], env);
    children.push(master);
    const match = await master.waitForStdout(/listening on ftp:\/\/127\.0\.0\.1:(\d+)\/ \(slaves connect to 127\.0\.0\.1:(\d+)\)/, 30_000);
    const masterAddress = `127.0.0.1:${match[2] ?? ''}`;
    const disk = spawnTypeScript(example('slave.ts'), [], { CLUSTER_SECRET: SECRET, MASTER: masterAddress, SLAVE_NAME: 'disk', SLAVE_ROOT: join(dir.path, 'disk') });
    const memory = spawnTypeScript(example('custom-slave.ts'), [], { CLUSTER_SECRET: SECRET, MASTER: masterAddress, SLAVE_NAME: 'memory' });
    children.push(disk, memory);
    await master.waitForStdout(/slave disk is online/, 30_000);
    await master.waitForStdout(/slave memory is online/, 30_000);
    const files = [0, 1, 2, 3].map((i) => ({ name: `ex-${i}.bin`, data: randomBytes(50_000 + i) }));
    for (const file of files) expect(sha(await roundTrip(Number(match[1]), file.name, file.data))).toBe(sha(file.data));
    // Uploads alternate between the slaves: some files are on the disk slave, the rest in memory.
    const onDisk = files.filter((f) => existsSync(join(dir.path, 'disk', f.name)));
    expect(onDisk.length).toBeGreaterThan(0);
    expect(onDisk.length).toBeLessThan(files.length);
    for (const file of onDisk) expect(sha(await readFile(join(dir.path, 'disk', file.name)))).toBe(sha(file.data));
    expect(await stop(disk)).toBe(0);
    expect(await stop(memory)).toBe(0);
    expect(await stop(master)).toBe(0);
  }, 90_000);
});
