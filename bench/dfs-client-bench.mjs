// DFS client benchmark (part of `npm run bench`): a master and two slaves, each its own
// process started through the CLI (embedded LMDB store, files on disk), and the DFS client in
// this process. Measures 1 KiB files written and read per second at 16 concurrent requests,
// MB/s of 64 MiB uploads and downloads, and, for comparison, 1 KiB FTP uploads through the
// master (16 concurrent basic-ftp sessions, PRET-less EPSV: the slave takes the data
// connection directly). Rounds are interleaved and medians reported, with the load average.
// Needs a build (dist/). BENCH_DFS_SECONDS (default 4) sets the length of each rate phase.
// The master's state and the slaves' files live under the temporary directory (TMPDIR): the
// table shows what that disk itself costs per small file, for scale. BENCH_DFS_SLAVE_DIR puts
// the slaves' files elsewhere (for example on a tmpfs, to see the software's own cost where
// the disk's file creation is slow) while the master's state stays under TMPDIR.
// BENCH_DFS_KEEP=1 leaves the run's files in place (for back-to-back runs; delete them after).
// BENCH_DFS_WARMUP_SECONDS (default 10) of unmeasured writes, then half as long of reads, come first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client } from 'basic-ftp';
import { cpuSeconds, curlDownload, curlUpload, median, stopChild } from './bench-utils.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli', 'main.js');
const MiB = 1024 * 1024;
const CONCURRENCY = 16;

function spawnCli(args) {
  // BENCH_DFS_CPU_PROF=<dir> writes a V8 CPU profile of each cluster process there (at exit).
  const prof = process.env.BENCH_DFS_CPU_PROF;
  const node = prof === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`];
  const child = spawn(process.execPath, [...node, cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk) => {
    err += chunk;
    if (err.length > 65536) err = err.slice(-32768);
  });
  return { child, stderr: () => err };
}

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}

async function startCluster(dir, slaveDir) {
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, 'dfs-benchmark-secret-0123456789\n', { mode: 0o600 });
  // Files under /rep get two copies (the replication phases); everything else one.
  const config = join(dir, 'master.json');
  writeFileSync(config, JSON.stringify({ replication: { policies: [{ prefix: '/rep', minCopies: 2 }] } }));
  const master = spawnCli(['master', '--config', config, '--listen', '127.0.0.1:0', '--cluster-listen', '127.0.0.1:0', '--secret-file', secretFile, '--state', join(dir, 'state'),
    '--user', 'bench:bench', '--admin', 'bench', '--log-level', 'warn', '--shutdown-grace', '0']);
  const ports = await waitFor('master', () => {
    const match = /FTP on [\d.]+:(\d+), slaves connect to [\d.]+:(\d+)/.exec(master.stderr());
    return match && { ftp: Number(match[1]), cluster: Number(match[2]) };
  });
  const slaves = ['s0', 's1'].map((name) => {
    mkdirSync(join(slaveDir, name));
    return spawnCli(['slave', '--master', `127.0.0.1:${ports.cluster}`, '--secret-file', secretFile, '--root', join(slaveDir, name), '--name', name,
      '--data-address', '127.0.0.1', '--client-listen', '127.0.0.1:0', '--log-level', 'warn']);
  });
  await waitFor('slaves', async () => {
    const ftp = new Client(10_000);
    try {
      await ftp.access({ host: '127.0.0.1', port: ports.ftp, user: 'bench', password: 'bench' });
      const reply = await ftp.send('SITE SLAVES');
      return (reply.message.match(/ online/g) ?? []).length >= 2;
    } catch {
      return false;
    } finally {
      ftp.close();
    }
  });
  return { master, slaves, ports, pids: [master.child.pid, ...slaves.map((s) => s.child.pid)] };
}

/** CPU seconds of each cluster process and of this one, for per-operation costs. */
function cpuSnapshot(pids) {
  const own = process.cpuUsage();
  return [...pids.map((pid) => cpuSeconds(pid)), (own.user + own.system) / 1e6];
}

/** Per-process CPU ms per operation between two snapshots. */
function cpuPerOp(before, after, ops) {
  return after.map((v, i) => ((v - before[i]) * 1000) / ops);
}

/** Runs `worker(i)` from CONCURRENCY loops for `seconds`; returns operations per second (and `rate.lastOps`). */
async function rate(seconds, worker) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, lane) => {
    while (performance.now() < end) {
      await worker(lane, done);
      done += 1;
    }
  }));
  rate.lastOps = done;
  return done / ((performance.now() - start) / 1000);
}

/** `rate` with the CPU each process spent per operation pushed to `cpu`. */
async function measured(pids, cpu, seconds, worker) {
  const before = cpuSnapshot(pids);
  const ops = await rate(seconds, worker);
  cpu.push(cpuPerOp(before, cpuSnapshot(pids), rate.lastOps));
  return ops;
}

const medianOf = (rows) => rows[0].map((_, i) => median(rows.map((r) => r[i])));

async function ftpUploads(port, seconds, payload) {
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    const c = new Client(30_000);
    await c.access({ host: '127.0.0.1', port, user: 'bench', password: 'bench' });
    return c;
  }));
  try {
    await clients[0].ensureDir('/ftp');
    let n = 0;
    return await rate(seconds, (lane) => clients[lane].uploadFrom(Readable.from([payload]), `/ftp/f${lane}-${n++}`));
  } finally {
    for (const c of clients) c.close();
  }
}

/** The master's replication counters, from SITE REPLICATION. */
async function replicationCounters(ftp) {
  const reply = await ftp.send('SITE REPLICATION');
  const match = /backlog=(\d+)\+? blocked=(\d+) running=(\d+) copied=(\d+) \((\d+) bytes\)/.exec(reply.message);
  if (match === null) throw new Error(`unexpected SITE REPLICATION reply: ${reply.message}`);
  return { backlog: Number(match[1]), running: Number(match[3]), copied: Number(match[4]), bytes: Number(match[5]) };
}

/** Polls until `copies` more copies than `before` were made (bounded); resolves with the time it happened. */
async function copiesDone(ftp, before, copies, timeoutMs = 300_000) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const now = await replicationCounters(ftp);
    if (now.copied - before.copied >= copies) return performance.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${copies} copies not made within ${timeoutMs} ms`);
}

/**
 * Replication throughput: `count` 1 KiB files uploaded under /rep (two copies each) at 16 at
 * once; copies/s from the first upload to the last copy verified (uploads and copies overlap,
 * so this is a floor), and after the uploads ended. Then one big file: MB/s of the one copy,
 * from the end of its upload to the copy verified.
 */
async function replicationPhase(client, ftp, round, count, payload, big) {
  const before = await replicationCounters(ftp);
  const start = performance.now();
  let n = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (n < count) await client.upload(`/rep/r${round}/f${n++}`, payload, { parents: true });
  }));
  const uploaded = performance.now();
  const done = await copiesDone(ftp, before, n);
  const small = { copiesPerSecond: n / ((done - start) / 1000), afterUploadMs: done - uploaded };
  const beforeBig = await replicationCounters(ftp);
  await client.upload(`/rep/big-${round}.bin`, big);
  const bigUploaded = performance.now();
  const bigDone = await copiesDone(ftp, beforeBig, 1);
  return { ...small, bigMBps: big.length / ((bigDone - bigUploaded) / 1000) / 1e6 };
}

/**
 * The disk's own cost of what a slave does per small file (create a staging file, write 1 KiB,
 * rename it, close), in a plain loop in this process: files per second one core can create
 * there at most. On some filesystems this alone is well below the write target (ext4 without
 * a journal slows down after many recent deletes), so it is printed beside the DFS figure.
 */
function diskCreatesPerSecond(dir, payload, count = 2000) {
  mkdirSync(dir);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const staging = join(dir, `.staging-${i}`);
    const fd = openSync(staging, 'wx');
    writeSync(fd, payload);
    closeSync(fd);
    renameSync(staging, join(dir, `f${i}`));
  }
  // Left in place until the run ends: deleting files here would slow the creations that follow
  // on some filesystems (ext4 without a journal skips recently freed inodes one by one).
  return count / ((performance.now() - start) / 1000);
}

/** Runs the DFS client benchmark and prints its table. */
export async function run() {
  const { createClusterClient } = await import('../dist/cluster/index.js');
  const rounds = Number(process.env.BENCH_RUNS ?? 3);
  const seconds = Number(process.env.BENCH_DFS_SECONDS ?? 4);
  const bigSize = Number(process.env.BENCH_DFS_BIG_MIB ?? 64) * MiB;
  const dir = mkdtempSync(join(tmpdir(), 'ftpgrid-dfs-bench-'));
  const slaveDir = process.env.BENCH_DFS_SLAVE_DIR === undefined ? dir : mkdtempSync(join(process.env.BENCH_DFS_SLAVE_DIR, 'ftpgrid-dfs-slaves-'));
  const cluster = await startCluster(dir, slaveDir);
  // BENCH_DFS_GRANTS=0: a placement per upload (no write grants), to see what grants buy.
  const client = createClusterClient({ master: { host: '127.0.0.1', port: cluster.ports.cluster }, user: 'bench', password: 'bench', writeGrants: process.env.BENCH_DFS_GRANTS !== '0' });
  // Reads that ask the master every time (no remembered placements): the cold-read cost.
  const cold = createClusterClient({ master: { host: '127.0.0.1', port: cluster.ports.cluster }, user: 'bench', password: 'bench', readCacheMs: 0 });
  const samples = { diskBefore: 0, writes: [], reads: [], ftp: [], up: [], down: [], writeCpu: [], readCpu: [], coldReads: [], coldCpu: [], disk: [], ftpUp: [], ftpDown: [], repCopies: [], repTail: [], repBig: [] };
  const admin = new Client(30_000);
  const bigFile = join(dir, 'big.bin');
  const repCount = Number(process.env.BENCH_DFS_REP_FILES ?? 400);
  const load = [];
  try {
    await admin.access({ host: '127.0.0.1', port: cluster.ports.ftp, user: 'bench', password: 'bench' });
    const payload = randomBytes(1024);
    const big = randomBytes(bigSize);
    await client.mkdir('/small', { parents: true });
    // The disk's state before anything is measured: on ext4 without a journal, files deleted in
    // the last minutes (an earlier run's clean-up, a test suite) make every creation scan past
    // them, and the write figures then say more about that than about ftpgrid.
    samples.diskBefore = diskCreatesPerSecond(join(slaveDir, 'disk-before'), payload, 1000);
    // Unmeasured writes and reads first: fresh processes run slower for their first tens of
    // thousands of requests (V8 compiles and recompiles the hot paths, the heaps grow to their
    // working size): in back-to-back 4 s rounds of writes the rate still rose by a fifth from
    // the first round to the fourth. A master runs for days; the rounds measure that state.
    const warmup = Number(process.env.BENCH_DFS_WARMUP_SECONDS ?? 10);
    if (warmup > 0) {
      await client.mkdir('/warm', { parents: true });
      let n = 0;
      await rate(warmup, () => client.upload(`/warm/f${n++}`, payload));
      if (n > 0) await rate(warmup / 2, async (lane, i) => {
        await client.downloadBuffer(`/warm/f${(i * 7919 + lane) % n}`);
      });
    }
    const written = [];
    for (let r = 0; r < rounds; r++) {
      let n = 0;
      samples.writes.push(await measured(cluster.pids, samples.writeCpu, seconds, async () => {
        const path = `/small/r${r}-${n++}`;
        await client.upload(path, payload);
        written.push(path);
      }));
      if (process.env.BENCH_DFS_WRITES_ONLY !== '1') samples.reads.push(await measured(cluster.pids, samples.readCpu, seconds, async (lane, i) => {
        const data = await client.downloadBuffer(written[(i * 7919 + lane) % written.length]);
        if (data.length !== 1024) throw new Error(`read ${data.length} bytes`);
      }));
      if (process.env.BENCH_DFS_WRITES_ONLY !== '1') samples.coldReads.push(await measured(cluster.pids, samples.coldCpu, seconds, async (lane, i) => {
        const data = await cold.downloadBuffer(written[(i * 7919 + lane) % written.length]);
        if (data.length !== 1024) throw new Error(`read ${data.length} bytes`);
      }));
      load.push(loadavg()[0]);
      if (process.env.BENCH_DFS_SMALL_ONLY === '1') continue;
      samples.ftp.push(await ftpUploads(cluster.ports.ftp, seconds, payload));
      let start = performance.now();
      await client.upload(`/big-${r}.bin`, big);
      samples.up.push(bigSize / ((performance.now() - start) / 1000) / 1e6);
      start = performance.now();
      const back = await client.downloadBuffer(`/big-${r}.bin`);
      samples.down.push(bigSize / ((performance.now() - start) / 1000) / 1e6);
      if (!back.equals(big)) throw new Error('64 MiB download differs');
      // The same size over FTP, straight to and from a slave: curl with PRET (the slave takes the
      // data connection; downloads are zero-copy there).
      if (r === 0) writeFileSync(bigFile, big);
      const ftpUrl = `ftp://bench:bench@127.0.0.1:${cluster.ports.ftp}/ftp-big-${r}.bin`;
      samples.ftpUp.push((await curlUpload(bigFile, ftpUrl, 300_000, ['--ftp-pret'])).bytesPerSecond / 1e6);
      samples.ftpDown.push((await curlDownload(ftpUrl, 300_000, ['--ftp-pret'])).bytesPerSecond / 1e6);
      const rep = await replicationPhase(client, admin, r, repCount, payload, big);
      samples.repCopies.push(rep.copiesPerSecond);
      samples.repTail.push(rep.afterUploadMs);
      samples.repBig.push(rep.bigMBps);
    }
    // After every round, so its files never sit beside the rounds' own.
    for (let r = 0; r < rounds; r++) samples.disk.push(diskCreatesPerSecond(join(slaveDir, `disk-${r}`), payload));
    console.log(`\n## DFS client: master + 2 slaves as CLI processes, client in the bench process (${CONCURRENCY} concurrent, ${seconds} s phases, ${rounds} interleaved rounds, medians; load average during the run ${load.map((l) => l.toFixed(1)).join(', ')} on ${(await import('node:os')).cpus().length} cores${slaveDir === dir ? '' : '; slaves\' files under BENCH_DFS_SLAVE_DIR'})\n`);
    console.log('| measure | median | target |');
    console.log('|---|---|---|');
    console.log(`| 1 KiB writes/s (DFS client, frame fast path; rounds: ${samples.writes.map((w) => w.toFixed(0)).join(', ')}) | ${median(samples.writes).toFixed(0)} | >= 2500 |`);
    console.log(`| for scale: 1 KiB files created per second on the slaves' disk by a plain loop (create, write, rename, close; one core, nothing else; ${samples.diskBefore.toFixed(0)} before the rounds) | ${median(samples.disk).toFixed(0)} | |`);
    console.log(`| 1 KiB reads/s (DFS client; files read again within readCacheMs skip the master) | ${median(samples.reads).toFixed(0)} | >= 5000 |`);
    console.log(`| 1 KiB reads/s (DFS client, readCacheMs: 0: every read asks the master) | ${median(samples.coldReads).toFixed(0)} | |`);
    console.log(`| 1 KiB uploads/s (FTP through the master, basic-ftp) | ${median(samples.ftp).toFixed(0)} | comparison |`);
    console.log(`| 64 MiB upload MB/s (chunked frames) | ${median(samples.up).toFixed(0)} | |`);
    console.log(`| 64 MiB download MB/s (chunked frames) | ${median(samples.down).toFixed(0)} | |`);
    if (samples.ftpUp.length > 0) {
      console.log(`| 64 MiB upload MB/s (FTP, curl --ftp-pret, straight to the slave) | ${median(samples.ftpUp).toFixed(0)} | comparison |`);
      console.log(`| 64 MiB download MB/s (FTP, curl --ftp-pret, straight from the slave) | ${median(samples.ftpDown).toFixed(0)} | comparison |`);
      console.log(`| replication: 1 KiB copies/s, ${repCount} files, first upload to last copy | ${median(samples.repCopies).toFixed(0)} | |`);
      console.log(`| replication: last copy, ms after the last upload | ${median(samples.repTail).toFixed(0)} | |`);
      console.log(`| replication: 64 MiB copy MB/s, slave to slave | ${median(samples.repBig).toFixed(0)} | |`);
    }
    const fmt = (row) => row.map((v) => v.toFixed(3)).join(' | ');
    console.log('\n| CPU ms per 1 KiB operation | master | slave s0 | slave s1 | client | total |');
    console.log('|---|---|---|---|---|---|');
    for (const [name, rows] of [['write', samples.writeCpu], ['read', samples.readCpu], ['read, readCacheMs: 0', samples.coldCpu]]) {
      if (rows.length === 0) continue;
      const m = medianOf(rows);
      console.log(`| ${name} | ${fmt(m)} | ${(m.reduce((a, b) => a + b, 0)).toFixed(3)} |`);
    }
  } finally {
    await client.close();
    await cold.close();
    admin.close();
    await Promise.all([...cluster.slaves, cluster.master].map((p) => stopChild(p.child)));
    if (process.env.BENCH_DFS_KEEP === '1') {
      // For a series of runs: deleting tens of thousands of files would slow the next run's
      // file creation on ext4 without a journal for minutes (see diskCreatesPerSecond).
      console.log(`\nBENCH_DFS_KEEP=1: left in place, remove when done: ${dir}${slaveDir === dir ? '' : ` ${slaveDir}`}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
      if (slaveDir !== dir) rmSync(slaveDir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
