#!/usr/bin/env node
// Remerge benchmark through the real cluster protocol (issue 11's scale targets): a master
// (its own child process, so its memory is measured alone) and a synthetic slave (another
// child) whose FileSystem generates a listing of REMERGE_BENCH_FILES files (default
// 1,000,000: a 100,000-entry directory, then directories of 1,000) instead of reading a disk.
// Measured: files/s ingested (slave connected -> remerge done, by the master's clock), the
// master's RSS growth per file, and through FTP the time to the first entry (and to the end)
// of MLSD and LIST of the 100,000-entry directory. Targets: >= 100,000 files/s into LMDB,
// <= 300 B of master RSS per file, the listing starting within 100 ms.
//   REMERGE_BENCH_FILES   files (default 1000000)
//   REMERGE_BENCH_STORES  comma-separated: lmdb, postgres (default lmdb, plus postgres when STORE_BENCH_PG_URL is set)
//   STORE_BENCH_PG_URL    postgres://USER@HOST:PORT/DB (a schema rbench_<pid> is created and dropped)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SECRET = 'remerge-bench-secret-0123456789abcdef';
const BIG = 100_000;
const PER_DIR = 1000;

function memory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: process.memoryUsage().rss, anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
}

function settle() {
  globalThis.gc?.();
  globalThis.gc?.();
}

async function masterChild(kind) {
  const { createMaster } = await import(new URL('../dist/index.js', import.meta.url).href);
  const cluster = await import(new URL('../dist/cluster/index.js', import.meta.url).href);
  const dir = mkdtempSync(join(tmpdir(), 'ftpgrid-remerge-bench-'));
  const schema = `rbench_${process.pid}`;
  const store = kind === 'postgres'
    ? await cluster.openPostgresMetadataStore({ connectionString: process.env.STORE_BENCH_PG_URL, schema })
    : await cluster.openLmdbMetadataStore({ path: join(dir, 'metadata') });
  const master = await createMaster({ store, secret: SECRET, users: [{ name: 'bench', password: 'bench' }], connectionRate: false });
  const address = await master.listen({ ftp: { host: '127.0.0.1', port: 0 }, cluster: { host: '127.0.0.1', port: 0 } });
  settle();
  const before = memory();
  let started = 0;
  let cpuAtStart;
  master.cluster.registry.on('slaveState', ({ state }) => {
    if (state === 'remerging') {
      started = performance.now();
      cpuAtStart = process.cpuUsage();
    }
  });
  master.cluster.registry.on('remerged', ({ files, added, mode, listed }) => {
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    settle();
    const after = memory();
    process.stdout.write(`${JSON.stringify({ event: 'remerged', files, added, ms, cpuMs, mode, listed, rssPerFile: (after.rss - before.rss) / files, anonPerFile: (after.anon - before.anon) / files, fileBackedPerFile: (after.file - before.file) / files, rssMiB: after.rss / 2 ** 20 })}\n`);
  });
  process.stdout.write(`${JSON.stringify({ event: 'ready', ftp: address.ftp.port, cluster: address.cluster.port })}\n`);
  // A line "kick" disconnects the slave: it re-attaches with a verify remerge (measured too).
  for await (const line of createInterface({ input: process.stdin })) if (line === 'kick') master.cluster.kick('synthetic');
  await master.close({ graceMs: 0 });
  await store.close();
  if (kind === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: process.env.STORE_BENCH_PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** A FileSystem that lists a generated tree (nothing else is needed for a remerge). */
function syntheticFs(total) {
  const mtime = new Date(1_700_000_000_000);
  const big = Math.min(BIG, total);
  const dirs = Math.ceil(Math.max(0, total - big) / PER_DIR);
  const file = (i) => ({ name: `f${String(i).padStart(7, '0')}.bin`, type: 'file', size: 1_000_000 + i, mtime });
  const dir = (name) => ({ name, type: 'dir', size: 0, mtime });
  const notHere = async () => {
    throw new Error('synthetic slave: listing only');
  };
  return {
    stat: async (path) => ({ type: path.endsWith('.bin') ? 'file' : 'dir', size: 0, mtime }),
    async *list(path) {
      if (path === '/') yield dir('bench');
      else if (path === '/bench') {
        yield dir('big');
        if (dirs > 0) yield dir('tree');
      } else if (path === '/bench/big') for (let i = 0; i < big; i++) yield file(i);
      else if (path === '/bench/tree') for (let d = 0; d < dirs; d++) yield dir(`d${String(d).padStart(5, '0')}`);
      else {
        const d = Number(path.slice('/bench/tree/d'.length));
        for (let i = big + d * PER_DIR; i < Math.min(total, big + (d + 1) * PER_DIR); i++) yield file(i);
      }
    },
    mkdir: notHere, rmdir: notHere, delete: notHere, rename: notHere, openRead: notHere, openWrite: notHere,
  };
}

async function slaveChild(port, total) {
  const cluster = await import(new URL('../dist/cluster/index.js', import.meta.url).href);
  const slave = cluster.createSlave({ masters: [{ host: '127.0.0.1', port }], secret: SECRET, name: 'synthetic', fs: syntheticFs(total), dataAddress: '127.0.0.1' });
  let cpuAtOnline;
  slave.once('online', () => {
    cpuAtOnline = process.cpuUsage();
  });
  slave.start();
  // A line "cpu": the slave's CPU from attach to now (its walk and encoding).
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'cpu') continue;
    const cpu = process.cpuUsage(cpuAtOnline);
    process.stdout.write(`${JSON.stringify({ event: 'cpu', cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  }
  await slave.close();
  process.exit(0);
}

/** Time to the first byte and to the end of a listing command's data, through FTP (PASV). */
async function listTiming(port, command) {
  const control = connect(port, '127.0.0.1');
  const lines = createInterface({ input: control });
  const replies = lines[Symbol.asyncIterator]();
  const reply = async () => {
    for (;;) {
      const { value } = await replies.next();
      if (/^\d{3} /.test(value)) return value;
    }
  };
  const send = (text) => control.write(`${text}\r\n`);
  await reply();
  send('USER bench');
  await reply();
  send('PASS bench');
  await reply();
  send('PASV');
  const pasv = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(await reply());
  const data = connect(Number(pasv[5]) * 256 + Number(pasv[6]), '127.0.0.1');
  await new Promise((resolve) => data.once('connect', resolve));
  let first = Number.NaN;
  let bytes = 0;
  let lineCount = 0;
  const started = performance.now();
  const done = new Promise((resolve) => {
    data.on('data', (chunk) => {
      if (bytes === 0) first = performance.now() - started;
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lineCount += 1;
    });
    data.on('end', resolve);
  });
  send(`${command} /bench/big`);
  await done;
  const all = performance.now() - started;
  await reply();
  await reply();
  send('QUIT');
  control.end();
  return { first, all, lines: lineCount };
}

function spawnChild(args) {
  const child = spawn(process.execPath, [...(process.env.REMERGE_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.REMERGE_BENCH_PROF] : []), '--expose-gc', fileURLToPath(import.meta.url), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = createInterface({ input: child.stdout });
  const iterator = events[Symbol.asyncIterator]();
  return { child, next: async () => JSON.parse((await iterator.next()).value) };
}

export async function run() {
  const total = Number(process.env.REMERGE_BENCH_FILES ?? 1_000_000);
  const kinds = (process.env.REMERGE_BENCH_STORES ?? (process.env.STORE_BENCH_PG_URL ? 'lmdb,postgres' : 'lmdb')).split(',').filter(Boolean);
  console.log(`\nremerge through the cluster protocol: ${total.toLocaleString('en')} files from a synthetic slave; then MLSD/LIST of a ${Math.min(BIG, total).toLocaleString('en')}-entry directory through FTP`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('store     files/s    files/CPU-s (master+slave)  master RSS B/file (anon + file-backed)   MLSD first / all      LIST first / all');
  for (const kind of kinds) {
    const master = spawnChild(['--master', kind]);
    const ready = await master.next();
    const slave = spawnChild(['--slave', String(ready.cluster), String(total)]);
    const done = await master.next();
    slave.child.stdin.write('cpu\n');
    const slaveCpu = await slave.next();
    // Interleaved rounds, medians (REMERGE_BENCH_LIST_RUNS, default 3).
    const runs = { MLSD: [], LIST: [] };
    for (let r = 0; r < Number(process.env.REMERGE_BENCH_LIST_RUNS ?? 3); r++) for (const command of ['MLSD', 'LIST']) runs[command].push(await listTiming(ready.ftp, command));
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const summary = (rounds) => ({ first: median(rounds.map((t) => t.first)), all: median(rounds.map((t) => t.all)), lines: Math.min(...rounds.map((t) => t.lines)) });
    const mlsd = summary(runs.MLSD);
    const list = summary(runs.LIST);
    master.child.stdin.write('kick\n');
    const verify = await master.next();
    slave.child.stdin.end();
    master.child.stdin.end();
    await Promise.all([master.child, slave.child].map((c) => new Promise((resolve) => c.once('exit', resolve))));
    const rate = Math.round(done.files / (done.ms / 1000));
    const perCpu = Math.round(done.files / ((done.cpuMs + slaveCpu.cpuMs) / 1000));
    console.log(
      `${kind.padEnd(9)} ${rate.toLocaleString('en').padEnd(10)} ${`${perCpu.toLocaleString('en')} (${(done.cpuMs / 1000).toFixed(1)} + ${(slaveCpu.cpuMs / 1000).toFixed(1)} s)`.padEnd(27)} ${`${done.rssPerFile.toFixed(0)} (${done.anonPerFile.toFixed(0)} + ${done.fileBackedPerFile.toFixed(0)})`.padEnd(40)} ` +
        `${`${mlsd.first.toFixed(1)} ms / ${mlsd.all.toFixed(0)} ms`.padEnd(21)} ${list.first.toFixed(1)} ms / ${list.all.toFixed(0)} ms` +
        `${mlsd.lines === Math.min(BIG, total) && list.lines === Math.min(BIG, total) ? '' : `  (lines: ${mlsd.lines}, ${list.lines})`}`,
    );
    console.log(`${''.padEnd(9)} re-attach (${verify.mode}): ${verify.files.toLocaleString('en')} files verified in ${verify.ms.toFixed(0)} ms (master CPU ${(verify.cpuMs / 1000).toFixed(1)} s), ${verify.listed} entries listed`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  }
}

if (process.argv[2] === '--master') await masterChild(process.argv[3]);
else if (process.argv[2] === '--slave') await slaveChild(Number(process.argv[3]), Number(process.argv[4]));
else if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
