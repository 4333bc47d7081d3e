// Server CPU per small operation, builds side by side: the small-operations benchmark's drivers
// and client, but the figure is the server process's CPU (user + system from /proc/<pid>/stat)
// per operation, which a shared, loaded machine disturbs far less than rates. Linux only.
//
//   node bench/small-ops-cpu.mjs --servers before=<dist>,after=<dist>,py --ops stor,retr,noop
//        [--count 1000] [--noops 20000] [--reps 5] [--warm 2000] [--tmp /dev/shm] [--zc auto|off]
//
// <dist> is a build's dist/ directory inside this checkout (so its imports and the zero-copy
// addon resolve), e.g. a copy of an older build under .bench/. `py` is pyftpdlib. Every server
// gets `--warm` unmeasured transfers of each kind first; rounds alternate the servers' order.
// Prints each run, then medians.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ftpgridApiDriver } from './driver-ftpgrid-api.mjs';
import { pyftpdlibDriver } from './driver-pyftpdlib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = dirname(here);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ops = opt('--ops', 'stor,retr').split(',');
const count = Number(opt('--count', 1000));
const noops = Number(opt('--noops', 20000));
const reps = Number(opt('--reps', 5));
const warm = Number(opt('--warm', 2000));
const workDir = mkdtempSync(join(opt('--tmp', tmpdir()), 'ftpgrid-small-cpu-'));
const sourceFile = join(workDir, 'small.bin');
writeFileSync(sourceFile, Buffer.alloc(4096, 7));

const servers = [];
for (const spec of opt('--servers', `current=${join(projectRoot, 'dist')},py`).split(',')) {
  if (spec === 'py') {
    servers.push({ name: 'pyftpdlib', ...(await pyftpdlibDriver().start({ projectRoot, workDir, sourceFile })) });
    continue;
  }
  const [name, dist] = spec.split('=');
  process.env.BENCH_FTPGRID_CLI = join(dist, 'cli', 'main.js');
  const own = join(workDir, name);
  mkdirSync(own);
  servers.push({ name, ...(await ftpgridApiDriver(opt('--zc', 'auto')).start({ projectRoot, workDir: own, sourceFile })) });
}

/** User + system CPU of `pid`, in clock ticks (100 per second on Linux). */
function ticks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function runClient(o) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'small-ops-client.mjs'), JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`client exited with ${code}`))));
  });
}

function clearUploads(server) {
  for (const name of readdirSync(server.localPath('up'))) rmSync(join(server.localPath('up'), name), { force: true });
}

const base = (s) => ({ port: s.port, user: s.user, pass: s.pass, file: 'small.bin', dir: 'up' });
for (const s of servers) {
  for (const op of ops.filter((o) => o !== 'noop')) {
    await runClient({ ...base(s), op, sessions: 1, count: warm, warmup: 0 });
    if (op === 'stor') clearUploads(s);
  }
}

const results = new Map();
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
for (let round = 0; round < reps; round++) {
  for (const op of ops) {
    for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
      const transfers = op !== 'noop';
      const n = transfers ? count : noops;
      const before = ticks(s.pid);
      const r = await runClient({ ...base(s), op, sessions: transfers ? 1 : 50, count: n, warmup: transfers ? 10 : undefined });
      // The client's warm-up (10 transfers, or 5 round trips per session) and login are counted too.
      const us = ((ticks(s.pid) - before) * 1e4) / (n + (transfers ? 10 : 250));
      if (op === 'stor') clearUploads(s);
      const key = `${op} ${s.name}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push({ us, rate: r.perSecond });
      console.log(`round ${round + 1} ${key}: ${Math.round(r.perSecond)}/s, ${us.toFixed(0)} us CPU per op (load ${load()})`);
    }
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [key, runs] of results) {
  console.log(`median ${key}: ${median(runs.map((r) => r.us)).toFixed(0)} us CPU per op, ${median(runs.map((r) => r.rate)).toFixed(0)}/s`);
}
for (const s of servers) await s.stop();
rmSync(workDir, { recursive: true, force: true });
