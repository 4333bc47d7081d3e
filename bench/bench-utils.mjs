// Shared helpers of the transfer benchmark: free ports, waiting for a greeting, per-process
// CPU time from /proc, curl runs and medians. Nothing here installs or downloads anything.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the tiny race with other processes is acceptable here). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A random base for a passive port range, so servers of one run do not share ports. */
export function randomPortRange(count) {
  const base = 20000 + Math.floor(Math.random() * 30000);
  return { min: base, max: base + count - 1 };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once an FTP server on `port` sends its 220 greeting; bounded by `timeoutMs`. */
export async function waitForGreeting(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const timer = setTimeout(() => { socket.destroy(); resolve(false); }, 1000);
      socket.once('data', (chunk) => {
        clearTimeout(timer);
        socket.end('QUIT\r\n');
        socket.destroy();
        resolve(chunk.toString('latin1').startsWith('220'));
      });
      socket.once('error', () => { clearTimeout(timer); resolve(false); });
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`no FTP greeting on port ${port} within ${timeoutMs} ms`);
}

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds used by `pid` and its reaped children (utime + stime + cutime + cstime), which
 * covers vsftpd's per-session processes once the listener has reaped them.
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / ticksPerSecond();
}

/** Waits (bounded) until `pid` has no live children, so their CPU time is in its counters. */
export async function waitForChildrenReaped(pid, timeoutMs = 5000) {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) {
    await sleep(200);
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (readFileSync(file, 'utf8').trim() === '') return;
    await sleep(20);
  }
}

/** Runs a command, resolving with its stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function run(command, args, { timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}: ${err.trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}

/** curl download to /dev/null; resolves with { bytes, bytesPerSecond } as curl measured them. */
export async function curlDownload(url, timeoutMs, extraArgs = []) {
  const out = await run('curl', ['-s', '-S', '--fail', ...extraArgs, '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', url], { timeoutMs });
  const [bytes, speed] = out.trim().split(' ').map(Number);
  return { bytes, bytesPerSecond: speed };
}

/** curl upload of a local file; resolves with { bytes, bytesPerSecond } as curl measured them. */
export async function curlUpload(file, url, timeoutMs, extraArgs = []) {
  const out = await run('curl', ['-s', '-S', '--fail', ...extraArgs, '-T', file, '-w', '%{size_upload} %{speed_upload}', url], { timeoutMs });
  const [bytes, speed] = out.trim().split(' ').map(Number);
  return { bytes, bytesPerSecond: speed };
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Stops a child process: SIGTERM, then SIGKILL after a bounded grace. */
export async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const CPUACCT_ROOT = '/sys/fs/cgroup/cpuacct';

/**
 * Measures a server's CPU time. Preferred: a cgroup v1 cpuacct group of its own, which counts
 * every process and thread it ever runs, including session processes that exit or get
 * orphaned (vsftpd forks two per session). Fallback: /proc/<pid>/stat of the server and its
 * reaped children (see {@link cpuSeconds}), which can miss orphaned grandchildren.
 * Returns { method, read(): seconds, dispose() }.
 */
export function createCpuMeter(pid, label) {
  if (existsSync(join(CPUACCT_ROOT, 'cpuacct.usage'))) {
    const dir = join(CPUACCT_ROOT, `ftpgrid-bench-${process.pid}-${label.replace(/[^a-z0-9]+/gi, '-')}`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
      return {
        method: 'cgroup cpuacct',
        read: () => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8').trim()) / 1e9,
        dispose: () => {
          try {
            rmdirSync(dir);
          } catch {
            // still has tasks (a server that would not die); leave it rather than fail the run
          }
        },
      };
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        // nothing to clean
      }
    }
  }
  return { method: '/proc stat', read: () => cpuSeconds(pid), dispose: () => undefined };
}

/**
 * The unprivileged system user the C servers run their sessions as: Debian's "ftp" (made by
 * the vsftpd package) where it exists, else "nobody". Undefined when neither is in /etc/passwd.
 */
export function sessionUser() {
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['ftp', 'nobody']) {
    const line = lines.find((l) => l.startsWith(`${name}:`));
    if (line === undefined) continue;
    const [, , uid, gid] = line.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * Resolves once the server `child` (stderr piped) greets on `port`; rejects with its exit
 * code and the start of its stderr when it exits first (a bad config, a port taken).
 */
export async function waitForServerChild(child, port, name) {
  let stderr = '';
  child.stderr.on('data', (c) => { if (stderr.length < 10_000) stderr += c; });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr.trim()}`))));
  exited.catch(() => undefined); // settled later if the server stops normally
  await Promise.race([waitForGreeting(port), exited]);
}
