// Transfer benchmark: RETR and STOR of one file with curl over loopback against the ftpgrid
// standalone server (zero-copy and stream paths, and FTPS with PROT P), vsftpd (clear and
// FTPS with PROT P), ftp-srv and a raw socat baseline,
// all in the same run and interleaved, since only same-run ratios are meaningful on shared
// machines. Prints MB/s (10^6 bytes/s, curl's measure) and server CPU seconds per GiB
// (utime+stime of the server process and its reaped children, from /proc), medians of N runs.
//
//   BENCH_SIZE_MB   file size in MiB            (default 1024)
//   BENCH_RUNS      runs per server/direction   (default 3)
//   BENCH_SERVERS   comma-separated subset, e.g. "ftpgrid,vsftpd" (default: all available)
//   BENCH_FTP_SRV_DIR  directory where `npm i --no-save ftp-srv` was run (default: this project)
//   BENCH_COMPARE_CLI  a second ftpgrid build (dist/cli/main.js of it), run as "ftpgrid@B" rows
//
// It installs nothing: servers that are missing are listed as skipped.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuMeter, curlDownload, curlUpload, median, run as runCommand, waitForChildrenReaped } from './bench-utils.mjs';
import { ftpgridDriver } from './driver-ftpgrid.mjs';
import { ftpSrvDriver } from './driver-ftp-srv.mjs';
import { socatAvailable, socatTransfer } from './driver-socat.mjs';
import { pureFtpdDriver } from './driver-pure-ftpd.mjs';
import { vsftpdDriver } from './driver-vsftpd.mjs';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const GiB = 2 ** 30;

function makeSourceFile(path, size) {
  // Random, not sparse: reading holes would flatter every server equally but unrealistically.
  const block = randomBytes(16 * 2 ** 20);
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let written = 0; written < size; ) {
      const n = Math.min(block.length, size - written);
      writeSync(fd, block, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
}

function wanted(name, filter) {
  if (!filter) return true;
  return filter.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).some((f) => name.toLowerCase().includes(f));
}

async function measure(server, direction, size, runIndex, sourceFile) {
  const timeoutMs = 60_000 + (size / 20e6) * 1000; // never below 20 MB/s
  const before = server.cpu.read();
  let result;
  if (direction === 'RETR') {
    result = await curlDownload(server.url('bench.bin'), timeoutMs, server.curlArgs ?? []);
  } else {
    const name = `up/upload-${runIndex}.bin`;
    result = await curlUpload(sourceFile, server.url(name), timeoutMs, server.curlArgs ?? []);
  }
  await waitForChildrenReaped(server.pid);
  const cpu = server.cpu.read() - before;
  if (direction === 'STOR') {
    const path = server.localPath(`up/upload-${runIndex}.bin`);
    const stored = statSync(path).size;
    unlinkSync(path);
    if (stored !== size) throw new Error(`${server.name} stored ${stored} bytes of ${size}`);
  }
  if (result.bytes !== size) throw new Error(`${server.name} ${direction} moved ${result.bytes} bytes of ${size}`);
  return { mbps: result.bytesPerSecond / 1e6, cpuPerGiB: (cpu * GiB) / size };
}

function fmt(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function ratio(value, reference) {
  return Number.isFinite(value) && Number.isFinite(reference) && reference > 0 ? `${(value / reference).toFixed(2)}x` : '-';
}

/** Builds the markdown table of medians with ratios to vsftpd (and to pure-ftpd, when it ran). */
export function formatTable(rows) {
  // FTPS rows are compared with vsftpd over FTPS, clear ones with clear vsftpd.
  const refOf = (r) => rows.find((x) => x.name === (r.name.endsWith('(PROT P)') ? 'vsftpd (PROT P)' : 'vsftpd'));
  const pure = rows.find((x) => x.name === 'pure-ftpd');
  const pureHead = pure === undefined ? '' : ' RETR / STOR vs pure-ftpd | CPU vs pure-ftpd (RETR / STOR) |';
  const lines = [
    `| server | RETR MB/s | STOR MB/s | RETR CPU s/GiB | STOR CPU s/GiB | RETR vs vsftpd | STOR vs vsftpd | CPU vs vsftpd (RETR / STOR) |${pureHead}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|${pure === undefined ? '' : '---:|---:|'}`,
  ];
  for (const r of rows) {
    const ref = refOf(r);
    const vsPure = pure === undefined ? ''
      : r.name.endsWith('(PROT P)') ? ' - | - |'
        : ` ${ratio(r.RETR.mbps, pure.RETR.mbps)} / ${ratio(r.STOR.mbps, pure.STOR.mbps)} | ${ratio(r.RETR.cpuPerGiB, pure.RETR.cpuPerGiB)} / ${ratio(r.STOR.cpuPerGiB, pure.STOR.cpuPerGiB)} |`;
    lines.push(`| ${r.name} | ${fmt(r.RETR.mbps, 0)} | ${fmt(r.STOR.mbps, 0)} | ${fmt(r.RETR.cpuPerGiB, 2)} | ${fmt(r.STOR.cpuPerGiB, 2)} | ${ratio(r.RETR.mbps, ref?.RETR.mbps)} | ${ratio(r.STOR.mbps, ref?.STOR.mbps)} | ${ratio(r.RETR.cpuPerGiB, ref?.RETR.cpuPerGiB)} / ${ratio(r.STOR.cpuPerGiB, ref?.STOR.cpuPerGiB)} |${vsPure}`);
  }
  return lines.join('\n');
}

/**
 * Runs the benchmark and resolves with { table, rows, skipped, samples }. Also writes
 * .bench/transfer-<time>.{md,json} under the project.
 */
export async function run({
  sizeMb = Number(process.env.BENCH_SIZE_MB ?? 1024),
  runs = Number(process.env.BENCH_RUNS ?? 3),
  servers: filter = process.env.BENCH_SERVERS,
  log = (msg) => console.error(msg),
} = {}) {
  if (!(sizeMb > 0) || !(runs > 0)) throw new Error('BENCH_SIZE_MB and BENCH_RUNS must be positive numbers');
  await runCommand('curl', ['--version']).catch(() => { throw new Error('curl is required (apt-get install curl)'); });
  const size = Math.round(sizeMb * 2 ** 20);
  const compare = process.env.BENCH_COMPARE_CLI
    ? [ftpgridDriver('auto', { compare: true }), ftpgridDriver('off', { compare: true }), ftpgridDriver('off', { tls: true, compare: true })]
    : [];
  const drivers = [ftpgridDriver('auto'), ftpgridDriver('off'), ...compare, vsftpdDriver(), pureFtpdDriver(), ftpSrvDriver(), ftpgridDriver('off', { tls: true }), vsftpdDriver({ tls: true })].filter((d) => wanted(d.name, filter));
  const useSocat = wanted('raw loopback (socat)', filter);
  const workDir = mkdtempSync(join(tmpdir(), 'ftpgrid-bench-'));
  const started = [];
  const skipped = [];
  const samples = {};
  try {
    const sourceFile = join(workDir, 'source.bin');
    log(`bench: writing a ${sizeMb} MiB test file in ${workDir}`);
    makeSourceFile(sourceFile, size);
    for (const driver of drivers) {
      const reason = await driver.available({ projectRoot });
      if (reason) {
        skipped.push({ name: driver.name, reason });
        continue;
      }
      try {
        const handle = await driver.start({ projectRoot, workDir, sourceFile });
        const cpu = createCpuMeter(handle.pid, driver.name);
        started.push({ name: driver.name, ...handle, cpu });
        log(`bench: ${driver.name} started (pid ${handle.pid}, CPU measured by ${cpu.method})`);
        for (const note of handle.notes) log(`bench: ${driver.name}: ${note}`);
      } catch (error) {
        skipped.push({ name: driver.name, reason: `failed to start: ${error.message}` });
      }
    }
    const socatReason = useSocat ? socatAvailable() : 'not selected';
    if (useSocat && socatReason) skipped.push({ name: 'raw loopback (socat)', reason: socatReason });
    for (const s of skipped) log(`bench: skipping ${s.name}: ${s.reason}`);
    const names = [...started.map((s) => s.name), ...(socatReason ? [] : ['raw loopback (socat)'])];
    for (const name of names) samples[name] = { RETR: [], STOR: [] };
    for (let i = 0; i < runs; i++) {
      for (const direction of ['RETR', 'STOR']) {
        for (const server of started) {
          try {
            const sample = await measure(server, direction, size, i, sourceFile);
            samples[server.name][direction].push(sample);
            log(`bench: run ${i + 1}/${runs} ${direction} ${server.name}: ${sample.mbps.toFixed(0)} MB/s, ${sample.cpuPerGiB.toFixed(2)} s CPU/GiB`);
          } catch (error) {
            log(`bench: run ${i + 1}/${runs} ${direction} ${server.name} FAILED: ${error.message}`);
          }
        }
        if (!socatReason) {
          const r = await socatTransfer(sourceFile, size);
          samples['raw loopback (socat)'][direction].push({ mbps: r.bytesPerSecond / 1e6, cpuPerGiB: Number.NaN });
          log(`bench: run ${i + 1}/${runs} ${direction} raw loopback (socat): ${(r.bytesPerSecond / 1e6).toFixed(0)} MB/s`);
        }
      }
    }
  } finally {
    for (const server of started) {
      await server.stop().catch(() => undefined);
      server.cpu.dispose();
    }
    rmSync(workDir, { recursive: true, force: true });
  }
  const rows = Object.entries(samples).map(([name, s]) => ({
    name,
    runs: { RETR: s.RETR.length, STOR: s.STOR.length },
    RETR: { mbps: median(s.RETR.map((x) => x.mbps)), cpuPerGiB: median(s.RETR.map((x) => x.cpuPerGiB)) },
    STOR: { mbps: median(s.STOR.map((x) => x.mbps)), cpuPerGiB: median(s.STOR.map((x) => x.cpuPerGiB)) },
  }));
  const table = formatTable(rows);
  const header = `Transfer benchmark: ${sizeMb} MiB file, ${runs} run(s), medians; ${new Date().toISOString()}; Node ${process.version}`;
  console.log(`\n${header}\n\n${table}\n`);
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  const outDir = join(projectRoot, '.bench');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `transfer-${stamp}.md`), `${header}\n\n${table}\n`);
  writeFileSync(join(outDir, `transfer-${stamp}.json`), `${JSON.stringify({ sizeMb, runs, rows, skipped, samples }, null, 2)}\n`);
  return { table, rows, skipped, samples };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().catch((error) => {
    console.error(`bench: ${error.message}`);
    process.exitCode = 1;
  });
}
