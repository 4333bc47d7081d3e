import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_TEST_MS } from '../cli/cli-process.js';
import { startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';

interface RemergeLine {
  readonly slave: string;
  readonly mode: string;
  readonly files: number;
  readonly added: number;
  readonly lost: number;
  readonly conflicts: number;
  readonly listed: number;
  readonly matchedDirs: number;
  readonly differentDirs: number;
}

/** The master's `remerge done` log lines (pino JSON on stderr), oldest first. */
function remergeLines(cluster: ProcessCluster): RemergeLine[] {
  return cluster.master.stderr().split('\n').filter((l) => l.includes('"remerge done"')).map((l) => JSON.parse(l) as RemergeLine);
}

async function nextRemerge(cluster: ProcessCluster, seen: number, timeoutMs = 60_000): Promise<RemergeLine> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = remergeLines(cluster)[seen];
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no remerge done line within ${timeoutMs} ms:\n${cluster.master.stderr().slice(-2000)}`);
}

const DIRS = 5;
const PER_DIR = 20;

describe('verify remerge: a slave re-attaching sends directory digests, not its listing (real processes)', () => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await startProcessCluster(['s1']);
    const root = cluster.slaveRoot('s1');
    for (let d = 0; d < DIRS; d++) {
      await mkdir(join(root, `d${d}`));
      for (let f = 0; f < PER_DIR; f++) await writeFile(join(root, `d${d}`, `f${f}.bin`), Buffer.alloc(100 + f, d));
    }
    // A full remerge puts the files in the tree (the slave attached before they existed).
    const before = remergeLines(cluster).length;
    await cluster.withAdmin((client) => client.send('SITE REMERGE s1'));
    const full = await nextRemerge(cluster, before);
    expect(full).toMatchObject({ slave: 's1', mode: 'full', files: DIRS * PER_DIR, added: DIRS * PER_DIR + DIRS, listed: DIRS * PER_DIR + DIRS });
  }, CHILD_TEST_MS * 2);

  afterAll(async () => {
    await cluster.close();
  }, 60_000);

  it('after a master restart (SIGKILL) the slave is verified with no entry listed', async () => {
    await cluster.restartMaster(true);
    await cluster.waitOnline(['s1']);
    // The restarted master's log starts empty: its first remerge is the slave's re-attach.
    const line = await nextRemerge(cluster, 0);
    expect(line).toMatchObject({ slave: 's1', mode: 'verify', files: DIRS * PER_DIR, listed: 0, matchedDirs: DIRS + 1, differentDirs: 0, added: 0, lost: 0, conflicts: 0 });
  }, CHILD_TEST_MS * 2);

  it('changes made on the disk while detached are found, listing only their directories, and end as a full remerge would', async () => {
    const root = cluster.slaveRoot('s1');
    await cluster.killSlave('s1');
    await cluster.waitOffline('s1');
    await writeFile(join(root, 'd0', 'new.bin'), Buffer.alloc(777, 1)); // added
    await rm(join(root, 'd1', 'f0.bin')); // removed
    await appendFile(join(root, 'd2', 'f1.bin'), 'grown'); // resized: a conflict
    await mkdir(join(root, 'd5')); // a new empty directory
    const seen = remergeLines(cluster).length;
    await cluster.startSlave('s1');
    await cluster.waitOnline(['s1']);
    // The log reaches us through a pipe, possibly after SITE SLAVES said online: wait for the line.
    const line = await nextRemerge(cluster, seen);
    // Only d0, d1, d2 and d5 are listed (21 + 19 + 20 + 0 entries); /, d3 and d4 match.
    expect(line).toMatchObject({ slave: 's1', mode: 'verify', files: DIRS * PER_DIR, listed: 60, matchedDirs: 3, differentDirs: 4, added: 2, lost: 1, conflicts: 1 });

    const names = await cluster.withAdmin(async (client) => ({
      root: (await client.list('/')).map((e) => e.name).sort(),
      d0: (await client.list('/d0')).find((e) => e.name === 'new.bin')?.size,
    }));
    expect(names).toEqual({ root: ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'], d0: 777 });
    // The removed file and the conflicting copy are no longer held by the slave (it was their only holder), so never served.
    const holders = (path: string): Promise<string | undefined> => cluster.withAdmin(async (client) => (await client.send(`SITE REPLICATION ${path}`)).message.split('\n').find((l) => l.includes('holders:'))?.replace(/^200[- ]/, '').trim());
    expect(await holders('/d1/f0.bin')).toBe('holders: -');
    expect(await holders('/d2/f1.bin')).toBe('holders: -');
    expect(await holders('/d0/new.bin')).toBe('holders: s1:online');
    expect(await holders('/d3/f3.bin')).toBe('holders: s1:online');
    await cluster.withAdmin((client) => client.downloadTo(new Writable({ write: (_c, _e, cb) => { cb(); } }), '/d0/new.bin'));
    // A full remerge now finds nothing to change: the verify left the store where it would have.
    const before = remergeLines(cluster).length;
    await cluster.withAdmin((client) => client.send('SITE REMERGE s1'));
    expect(await nextRemerge(cluster, before)).toMatchObject({ mode: 'full', added: 0, lost: 0, conflicts: 1, listed: DIRS * PER_DIR + 6 });
  }, CHILD_TEST_MS * 2);
});
