// Small-operations benchmark: what a DFS front end is judged on besides bulk bytes.
//   - NOOP and SIZE round trips per second over 50 logged-in sessions at once
//   - 4 KiB uploads and downloads per second, one client, one PASV data connection per file
//   - server memory per idle logged-in session (2,000 sessions), from /proc: the PSS of the
//     server's whole process tree (equal to RSS for one process; fair to vsftpd, which forks
//     two processes per session that share most pages); measured once, first, on the freshly
//     started server after 200 unmeasured sessions came and went (one-time costs paid; after a
//     burst of transfers instead, the heap shrinks meanwhile and shows as less than nothing)
// against pyftpdlib, vsftpd and ftp-srv where installed (`npm run bench:setup` installs them),
// every server in the same run, rounds interleaved (each round runs every operation on every
// server in turn), medians of the rounds and ratios to pyftpdlib and to the best peer. The
// client (bench/small-ops-client.mjs) is the same for every server and runs in its own process.
//
//   BENCH_SMALL_RUNS      rounds                          (default 3)
//   BENCH_SMALL_OPS       NOOP/SIZE round trips per round  (default 20000)
//   BENCH_SMALL_FILES     uploads/downloads per round      (default 1000)
//   BENCH_SMALL_WARMUP    unmeasured uploads/downloads before each round's clock starts, every
//                         server alike, so V8's warm-up of a freshly started server is not
//                         what is measured (default 300)
//   BENCH_IDLE_SESSIONS   idle sessions                    (default 2000)
//   BENCH_SERVERS         comma-separated subset           (default: all available)
//   BENCH_SMALL_ONLY      comma-separated subset of noop,size,stor,retr,idle (default: all);
//                         `idle` alone measures memory only (once per server and run)
//   BENCH_COMPARE_CLI     a second ftpgrid build (<build>/dist/cli/main.js; its dist/ serves the
//                         API), run side by side as the `ftpgrid@B` rows (A/B of a change)
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, sleep } from './bench-utils.mjs';
import { ftpgridApiDriver } from './driver-ftpgrid-api.mjs';
import { ftpSrvDriver } from './driver-ftp-srv.mjs';
import { pyftpdlibDriver } from './driver-pyftpdlib.mjs';
import { vsftpdDriver } from './driver-vsftpd.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = join(here, '..');
const CLIENT = join(here, 'small-ops-client.mjs');
const OPS = ['noop', 'size', 'stor', 'retr'];
const LABELS = { noop: 'NOOP/s (50 sessions)', size: 'SIZE/s (50 sessions)', stor: '4 KiB uploads/s', retr: '4 KiB downloads/s', idle: 'KiB per idle session' };

function wanted(name, filter) {
  if (!filter) return true;
  return filter.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).some((f) => name.toLowerCase().includes(f));
}

function runClient(options, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, JSON.stringify(options)], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${options.op}: ${stderr.trim().split('\n').slice(-3).join(' ') || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

/** The pids of `pid` and all its descendants. */
function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 20_000; i++) {
    const dir = `/proc/${all[i]}/task`;
    if (!existsSync(dir)) continue;
    for (const tid of readdirSync(dir)) {
      try {
        const children = readFileSync(`${dir}/${tid}/children`, 'utf8').trim();
        if (children) all.push(...children.split(' ').map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return all;
}

/** Proportional set size of a process tree, in KiB (RSS for a single process). */
function treePssKiB(pid) {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** Memory per idle logged-in session: the tree's PSS before and with `sessions` sessions held open. */
async function idleMemory(server, sessions) {
  const before = treePssKiB(server.pid);
  const child = spawn(process.execPath, [CLIENT, JSON.stringify({ port: server.port, user: server.user, pass: server.pass, op: 'idle', sessions })], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('idle sessions not all logged in within 120 s')), 120_000);
      child.stdout.on('data', (c) => { if (String(c).includes('ready')) { clearTimeout(timer); resolve(); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`idle client exited with ${code}: ${stderr.trim().split('\n').pop()}`)); });
    });
    // Let the server settle (lazy allocations, timers armed) before reading its memory.
    await sleep(2000);
    return (treePssKiB(server.pid) - before) / sessions;
  } finally {
    child.stdin.end();
    await new Promise((resolve) => { if (child.exitCode !== null) resolve(); else child.once('exit', resolve); });
    // Sessions closing: give the server a moment before the next measurement.
    await sleep(1000);
  }
}

function fmt(value, digits = 0) {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
}

function ratio(value, reference, lowerIsBetter = false) {
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0 || value <= 0) return '-';
  return `${(lowerIsBetter ? reference / value : value / reference).toFixed(2)}x`;
}

/**
 * Markdown table of medians, each ftpgrid figure with its ratio to pyftpdlib and to the best
 * peer (for memory: the ratio is peer / ftpgrid, so above 1 is better too).
 */
export function formatSmallTable(rows) {
  const peers = rows.filter((r) => !r.name.startsWith('ftpgrid'));
  const py = rows.find((r) => r.name === 'pyftpdlib');
  const best = (op) => {
    const values = peers.map((r) => r[op]).filter(Number.isFinite);
    if (values.length === 0) return Number.NaN;
    return op === 'idle' ? Math.min(...values) : Math.max(...values);
  };
  const lines = [
    `| server | ${[...OPS, 'idle'].map((op) => LABELS[op]).join(' | ')} |`,
    `|---|${[...OPS, 'idle'].map(() => '---:').join('|')}|`,
  ];
  for (const r of rows) {
    const cells = [...OPS, 'idle'].map((op) => {
      const value = r[op];
      const text = fmt(value, op === 'idle' ? 1 : 0);
      if (!r.name.startsWith('ftpgrid')) return text;
      const lower = op === 'idle';
      return `${text} (${ratio(value, py?.[op], lower)} py, ${ratio(value, best(op), lower)} best)`;
    });
    lines.push(`| ${r.name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Runs the benchmark; resolves with { table, rows, skipped, samples }. Writes .bench/small-ops-<time>.{md,json}. */
export async function run({
  runs = Number(process.env.BENCH_SMALL_RUNS ?? 3),
  count = Number(process.env.BENCH_SMALL_OPS ?? 20_000),
  files = Number(process.env.BENCH_SMALL_FILES ?? 1000),
  warmup = Number(process.env.BENCH_SMALL_WARMUP ?? 300),
  idleSessions = Number(process.env.BENCH_IDLE_SESSIONS ?? 2000),
  servers: filter = process.env.BENCH_SERVERS,
  only = process.env.BENCH_SMALL_ONLY,
  log = (msg) => console.error(msg),
} = {}) {
  const ops = only ? OPS.filter((op) => only.split(',').map((s) => s.trim().toLowerCase()).includes(op)) : OPS;
  const measureIdle = !only || only.split(',').map((s) => s.trim().toLowerCase()).includes('idle');
  const compare = process.env.BENCH_COMPARE_CLI ? [ftpgridApiDriver('auto', { compare: true }), ftpgridApiDriver('off', { compare: true })] : [];
  const drivers = [ftpgridApiDriver('auto'), ftpgridApiDriver('off'), ...compare, pyftpdlibDriver(), vsftpdDriver({ maxClients: idleSessions + 100 }), ftpSrvDriver()].filter((d) => wanted(d.name, filter));
  const workDir = mkdtempSync(join(tmpdir(), 'ftpgrid-small-bench-'));
  const sourceFile = join(workDir, 'small.bin');
  writeFileSync(sourceFile, randomBytes(4096));
  const started = [];
  const skipped = [];
  const samples = {};
  // Ctrl-C must not leave the servers running (this is a script: it may own the signals).
  const interrupted = async () => {
    for (const server of started) await server.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const driver of drivers) {
      const reason = await driver.available({ projectRoot });
      if (reason) {
        skipped.push({ name: driver.name, reason });
        continue;
      }
      try {
        const handle = await driver.start({ projectRoot, workDir, sourceFile });
        started.push({ name: driver.name, ...handle });
        samples[driver.name] = { noop: [], size: [], stor: [], retr: [], idle: [] };
        log(`bench: ${driver.name} started (pid ${handle.pid})`);
      } catch (error) {
        skipped.push({ name: driver.name, reason: `failed to start: ${error.message}` });
      }
    }
    for (const s of skipped) log(`bench: skipping ${s.name}: ${s.reason}`);
    for (let round = 0; round < runs; round++) {
      // Idle memory only in the first round: a server that already held (and freed) 2,000
      // sessions reuses that memory, so later rounds would under-count (pyftpdlib most of all).
      for (const op of round === 0 && measureIdle ? ['idle', ...ops] : ops) {
        for (const server of started) {
          try {
            let value;
            if (op === 'idle') {
              // A first, unmeasured batch pays the one-time costs (code compiled, pools and heap grown).
              await idleMemory(server, Math.min(200, idleSessions));
              value = await idleMemory(server, idleSessions);
            }
            else {
              const stor = op === 'stor';
              const r = await runClient({ port: server.port, user: server.user, pass: server.pass, op, sessions: stor || op === 'retr' ? 1 : 50, count: stor || op === 'retr' ? files : count, warmup, file: 'small.bin', dir: 'up' });
              value = r.perSecond;
              if (stor) for (const name of readdirSync(server.localPath('up'))) rmSync(join(server.localPath('up'), name), { force: true });
            }
            samples[server.name][op].push(value);
            log(`bench: round ${round + 1}/${runs} ${LABELS[op]} ${server.name}: ${fmt(value, op === 'idle' ? 1 : 0)}`);
          } catch (error) {
            log(`bench: round ${round + 1}/${runs} ${op} ${server.name} FAILED: ${error.message}`);
          }
        }
      }
    }
  } finally {
    for (const server of started) await server.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
  const rows = Object.entries(samples).map(([name, s]) => ({ name, ...Object.fromEntries([...OPS, 'idle'].map((op) => [op, median(s[op])])) }));
  const table = formatSmallTable(rows);
  const header = `Small operations: ${runs} round(s), interleaved, medians; ${count} NOOP/SIZE round trips, ${files} files of 4 KiB after ${warmup} unmeasured, ${idleSessions} idle sessions; ${new Date().toISOString()}; Node ${process.version}`;
  console.log(`\n${header}\n\n${table}\n`);
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  const outDir = join(projectRoot, '.bench');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `small-ops-${stamp}.md`), `${header}\n\n${table}\n`);
  writeFileSync(join(outDir, `small-ops-${stamp}.json`), `${JSON.stringify({ runs, count, files, idleSessions, rows, skipped, samples }, null, 2)}\n`);
  return { table, rows, skipped, samples };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().catch((error) => {
    console.error(`bench: ${error.message}`);
    process.exitCode = 1;
  });
}
