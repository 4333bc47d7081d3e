/**
 * The programmatic DFS client: a master and two slaves on loopback (each slave with a client
 * listener), then `createClusterClient` stores, reads, describes and deletes files with their
 * bytes going straight to and from the slaves. Run with `node --import tsx examples/dfs-client.ts`.
 * Against a real cluster, start the slaves with `--client-listen` and point `master` at the
 * master's `--cluster-listen` address.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMaster } from 'ftpgrid';
import { ClusterClientError, MemoryMetadataStore, createClusterClient, createSlave } from 'ftpgrid/cluster';
import { LocalFileSystem } from 'ftpgrid/vfs';

const secret = randomBytes(32);
const workDir = mkdtempSync(join(tmpdir(), 'ftpgrid-dfs-client-'));
const master = await createMaster({ store: new MemoryMetadataStore(), secret, users: [{ name: 'alice', password: 's3cret' }] });
const { cluster } = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
const slaves = ['slave-a', 'slave-b'].map((name) => createSlave({
  masters: [cluster], secret, name, dataAddress: '127.0.0.1',
  fs: new LocalFileSystem({ root: mkdtempSync(join(workDir, `${name}-`)) }),
  clientListen: { host: '127.0.0.1', port: 0 },
}));
for (const slave of slaves) slave.start();
await Promise.all(slaves.map((slave) => slave.waitOnline()));
// Connected is not yet usable: the master first merges each slave's file list (remerge).
for (const deadline = Date.now() + 30_000; master.cluster.slaves().filter((s) => s.state === 'online').length < slaves.length;) {
  if (Date.now() > deadline) throw new Error('the slaves did not come online');
  await sleep(20);
}

const client = createClusterClient({ master: cluster, user: 'alice', password: 's3cret' });
// Ctrl-C (SIGINT) or SIGTERM while it runs: the client's calls are aborted and everything closes.
const stopping = new AbortController();
const stop = (): void => {
  stopping.abort();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
const { signal } = stopping;
try {
  // A small file travels whole inside one frame; a large one in pipelined chunks.
  const note = await client.upload('/notes/hello.txt', Buffer.from('hello, cluster\n'), { parents: true, signal });
  console.log(`stored ${note.path} (${note.size} bytes) on ${note.slave}, sha256 ${note.checksum.slice(0, 16)}...`);
  const photo = await client.uploadWithId(randomBytes(3 * 1024 * 1024), { prefix: '/photos', suffix: '.jpg', signal });
  console.log(`stored ${photo.size} bytes under the generated id ${photo.path}`);

  const head = await client.downloadBuffer(photo.path, { offset: 1024, length: 16, signal });
  console.log(`read ${head.length} bytes at offset 1024`);
  console.log(`read back: ${(await client.downloadBuffer('/notes/hello.txt')).toString().trim()}`);

  await client.setMeta(photo.path, { camera: 'pinhole', width: '640' });
  console.log(`metadata: ${JSON.stringify(await client.getMeta(photo.path))}`);
  const stat = await client.stat(photo.path);
  console.log(`stat: ${stat.size} bytes on ${stat.holders.join(', ')}`);
  for await (const entry of client.list('/notes')) console.log(`listed /notes/${entry.name} (${entry.type}, ${entry.size} bytes)`);

  await client.delete('/notes/hello.txt');
  try {
    await client.downloadBuffer('/notes/hello.txt');
  } catch (error) {
    if (!(error instanceof ClusterClientError)) throw error;
    console.log(`after delete: ${error.code}`);
  }
} finally {
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await client.close();
  await Promise.all(slaves.map((slave) => slave.close()));
  await master.close({ graceMs: 0 });
  rmSync(workDir, { recursive: true, force: true });
}
console.log('done');
