// Cluster benchmark (part of `npm run bench`): aggregate download throughput with 1, 2 and 3
// slaves each capped by the engine's throttle, and the master's relay against a direct (PRET)
// transfer from one uncapped slave: throughput and CPU per GiB of the whole cluster process.
// Runs are interleaved and medians reported. Needs curl and a build (dist/).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, curlDownload, median, stopChild } from './bench-utils.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

async function startCluster(dir, slaves, capBytesPerSecond) {
  const child = spawn(process.execPath, [join(here, 'cluster-child.mjs'), JSON.stringify({ dir, slaves, capBytesPerSecond })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('cluster child did not start')), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /ready (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`cluster child exited with ${code}`)));
  });
  return { child, port };
}

function prepare(dir, slaves, size) {
  for (let i = 0; i < slaves; i++) {
    mkdirSync(join(dir, `s${i}`), { recursive: true });
    const file = join(dir, `s${i}`, `big-${i}.bin`);
    writeFileSync(file, '');
    // Sparse: the page cache serves zeros, so the disk is not what is measured.
    truncateSync(file, size);
  }
}

async function aggregate(dir, slaves, cap, size) {
  const { child, port } = await startCluster(dir, slaves, cap);
  try {
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: slaves }, (_, i) =>
      curlDownload(`ftp://bench:bench@127.0.0.1:${port}/big-${i}.bin`, 600_000, ['--ftp-pret'])));
    const seconds = (performance.now() - start) / 1000;
    const bytes = results.reduce((sum, r) => sum + r.bytes, 0);
    if (bytes !== slaves * size) throw new Error(`downloaded ${bytes} bytes, expected ${slaves * size}`);
    return bytes / seconds;
  } finally {
    await stopChild(child);
  }
}

async function relayVsDirect(port, pid, method) {
  const before = cpuSeconds(pid);
  const { bytes, bytesPerSecond } = await curlDownload(`ftp://bench:bench@127.0.0.1:${port}/big-0.bin`, 600_000, method === 'direct' ? ['--ftp-pret'] : []);
  const cpu = cpuSeconds(pid) - before;
  return { bytesPerSecond, cpuPerGiB: cpu / (bytes / (1024 * MiB)) };
}

/** Runs the cluster benchmark and prints its table. */
export async function run() {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const cap = Number(process.env.BENCH_SLAVE_CAP ?? 50e6);
  const aggSize = Number(process.env.BENCH_CLUSTER_MIB ?? 96) * MiB;
  const relaySize = Number(process.env.BENCH_RELAY_MIB ?? 512) * MiB;
  const dir = mkdtempSync(join(tmpdir(), 'ftpgrid-cluster-bench-'));
  try {
    console.log(`\n## Cluster: aggregate download with slaves capped at ${(cap / 1e6).toFixed(0)} MB/s each (${aggSize / MiB} MiB per slave, ${runs} interleaved runs, medians)\n`);
    prepare(dir, 3, aggSize);
    const samples = { 1: [], 2: [], 3: [] };
    for (let r = 0; r < runs; r++) for (const n of [1, 2, 3]) samples[n].push(await aggregate(dir, n, cap, aggSize));
    console.log('| slaves | aggregate MB/s | target (0.9 x N x cap) | ratio to N x cap |');
    console.log('|---|---|---|---|');
    for (const n of [1, 2, 3]) {
      const m = median(samples[n]);
      console.log(`| ${n} | ${(m / 1e6).toFixed(1)} | ${((0.9 * n * cap) / 1e6).toFixed(1)} | ${(m / (n * cap)).toFixed(2)} |`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    prepare(dir, 1, relaySize);
    console.log(`\n## Cluster: relay through the master vs direct from the slave (one uncapped slave, ${relaySize / MiB} MiB, ${runs} interleaved runs, medians)\n`);
    const { child, port } = await startCluster(dir, 1, undefined);
    const direct = [];
    const relay = [];
    try {
      for (let r = 0; r < runs; r++) {
        direct.push(await relayVsDirect(port, child.pid, 'direct'));
        relay.push(await relayVsDirect(port, child.pid, 'relay'));
      }
    } finally {
      await stopChild(child);
    }
    const row = (name, list) => `| ${name} | ${(median(list.map((s) => s.bytesPerSecond)) / 1e6).toFixed(0)} | ${median(list.map((s) => s.cpuPerGiB)).toFixed(2)} |`;
    console.log('| path | MB/s | cluster CPU s/GiB |');
    console.log('|---|---|---|');
    console.log(row('direct (PRET)', direct));
    console.log(row('relay (no PRET)', relay));
    const ratio = median(relay.map((s) => s.bytesPerSecond)) / median(direct.map((s) => s.bytesPerSecond));
    console.log(`\nrelay / direct throughput: ${ratio.toFixed(2)} (target >= 0.70)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
