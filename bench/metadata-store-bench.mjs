#!/usr/bin/env node
// Metadata store benchmark (issue 11's scale targets): a synthetic slave's remerge of
// STORE_BENCH_FILES files (default 1,000,000) through mergeSlaveFiles in batches of 1,000,
// awaited one after the other as a master applies a slave's stream; then the process's RSS
// per file, the time to the first entry and to the end of listing a 100,000-entry directory,
// and the time finishRemerge takes to scan every held entry. Each store runs in its own child
// process so its memory is measured alone. Reads the built module (`npm run build` first;
// `npm run bench` does it). Targets: >= 100,000 files/s into the embedded store, <= 300 bytes
// of RSS per file. Files/s is by the wall clock; the rate per CPU second (all threads of the
// child, LMDB's writer included) is printed beside it, since a shared machine slows the first.
//   STORE_BENCH_FILES   files per store (default 1000000; the 100,000-entry directory is part of them)
//   STORE_BENCH_STORES  comma-separated stores to run (default "lmdb,memory", plus "postgres" when the URL below is set)
//   STORE_BENCH_PG_URL  postgres://USER@HOST:PORT/DB of a server to measure (a schema bench_<pid> is created and dropped)
//   STORE_BENCH_IN_FLIGHT  remerge batches applied at once (default 1: each awaited before the next)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const BATCH = 1000;
const IN_FLIGHT = Number(process.env.STORE_BENCH_IN_FLIGHT ?? 1);
const BIG_DIR = 100_000;
const FILES_PER_DIR = 1000;

/** Resident memory split as Linux reports it: anonymous (heap, JS objects) and file-backed (LMDB's map, code). */
function memory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: process.memoryUsage().rss, anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
}

function settle() {
  globalThis.gc?.();
  globalThis.gc?.();
}

/** The synthetic slave's listing, batch by batch: first the big directory, then 1,000 files per directory. */
function* listing(total) {
  let batch = [];
  const big = Math.min(BIG_DIR, total);
  for (let i = 0; i < total; i += 1) {
    const path = i < big
      ? `/bench/big/f${String(i).padStart(7, '0')}.bin`
      : `/bench/tree/d${String(Math.floor((i - big) / FILES_PER_DIR)).padStart(5, '0')}/f${String(i).padStart(7, '0')}.bin`;
    batch.push({ path, type: 'file', size: 1_000_000 + i, mtimeMs: 1_700_000_000_000 + i });
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function child(kind, total) {
  const cluster = await import(new URL('../dist/cluster/index.js', import.meta.url).href);
  const dir = mkdtempSync(join(tmpdir(), 'ftpgrid-store-bench-'));
  try {
    const schema = `bench_${process.pid}`;
    const store =
      kind === 'lmdb'
        ? await cluster.openLmdbMetadataStore({ path: join(dir, 'metadata'), durability: process.env.STORE_BENCH_DURABILITY ?? 'flushed' })
        : kind === 'postgres'
          ? await cluster.openPostgresMetadataStore({ connectionString: process.env.STORE_BENCH_PG_URL, schema })
          : new cluster.MemoryMetadataStore();
    settle();
    const before = memory();
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let added = 0;
    // Up to IN_FLIGHT batches applied at once, as a master may while the next frames arrive.
    const pending = new Set();
    for (const batch of listing(total)) {
      const applying = store.mergeSlaveFiles('s1', 1, batch).then((outcome) => {
        added += outcome.added;
        pending.delete(applying);
      });
      pending.add(applying);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
    const ingestMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const ingestCpuMs = (cpu.user + cpu.system) / 1000;
    settle();
    const after = memory();
    const listStarted = performance.now();
    let firstMs = Number.NaN;
    let listed = 0;
    for await (const _ of store.list('/bench/big')) {
      if (listed === 0) firstMs = performance.now() - listStarted;
      listed += 1;
    }
    const listMs = performance.now() - listStarted;
    const finishStarted = performance.now();
    const lost = await store.finishRemerge('s1', 1);
    const finishMs = performance.now() - finishStarted;
    await store.close();
    if (kind === 'postgres') await dropSchema(schema);
    if (added !== total || lost !== 0) throw new Error(`bench: added ${added} of ${total}, finish dropped ${lost}`);
    process.stdout.write(`${JSON.stringify({
      kind, total, ingestMs, ingestCpuMs, rssPerFile: (after.rss - before.rss) / total, anonPerFile: (after.anon - before.anon) / total,
      filePerFile: (after.file - before.file) / total, rssMiB: after.rss / 2 ** 20, firstMs, listMs, listed, finishMs,
    })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dropSchema(schema) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.STORE_BENCH_PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
}

/** Runs each store in a child process and prints one row per store. */
export async function run() {
  const total = Number(process.env.STORE_BENCH_FILES ?? 1_000_000);
  const kinds = (process.env.STORE_BENCH_STORES ?? (process.env.STORE_BENCH_PG_URL ? 'lmdb,memory,postgres' : 'lmdb,memory')).split(',').filter(Boolean);
  const mode = IN_FLIGHT === 1 ? 'awaited batch by batch' : `${IN_FLIGHT} batches in flight`;
  console.log(`\nmetadata store: remerge of ${total.toLocaleString('en')} files in batches of ${BATCH} (one slave, ${mode})`);
  console.log('store   files/s (per CPU s)   RSS B/file (anon + file-backed)   list 100k: first / all   finishRemerge scan');
  for (const kind of kinds) {
    const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', kind, String(total)], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000,
    });
    const line = result.stdout?.trim().split('\n').at(-1);
    if (result.status !== 0 || !line) {
      console.log(`${kind.padEnd(7)} failed (${result.signal ?? `exit ${result.status}`})`);
      continue;
    }
    const r = JSON.parse(line);
    const rate = Math.round(r.total / (r.ingestMs / 1000));
    const cpuRate = Math.round(r.total / (r.ingestCpuMs / 1000));
    console.log(
      `${kind.padEnd(7)} ${`${rate.toLocaleString('en')} (${cpuRate.toLocaleString('en')})`.padEnd(21)} ` +
        `${`${r.rssPerFile.toFixed(0)} (${r.anonPerFile.toFixed(0)} + ${r.filePerFile.toFixed(0)})`.padEnd(33)} ` +
        `${`${r.firstMs.toFixed(1)} ms / ${r.listMs.toFixed(0)} ms`.padEnd(24)} ${r.finishMs.toFixed(0)} ms`,
    );
  }
  console.log('targets (issue 11): >= 100,000 files/s into the embedded store; <= 300 B of RSS per file; listing starts within 100 ms');
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}
