// Raw loopback baseline: socat with 1 MiB buffers moving the same file, no FTP at all.
// Not a server: it reports throughput only (both processes' CPU is not an FTP server's).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { freePort, sleep } from './bench-utils.mjs';

function hasSocat() {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function waitExit(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`socat exited with ${code}`))));
  });
}

/** Resolves with { bytes, bytesPerSecond } for one file -> loopback -> /dev/null copy. */
export async function socatTransfer(file, size) {
  const port = await freePort();
  const receiver = spawn('socat', ['-u', '-b', '1048576', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'OPEN:/dev/null,wronly'], { stdio: 'ignore' });
  const received = waitExit(receiver);
  await sleep(150); // bounded: socat has no readiness signal; the sender retries anyway
  const start = performance.now();
  const sender = spawn('socat', ['-u', '-b', '1048576', `OPEN:${file},rdonly`, `TCP:127.0.0.1:${port},retry=20,interval=0.05`], { stdio: 'ignore' });
  await Promise.all([waitExit(sender), received]);
  const seconds = (performance.now() - start) / 1000;
  return { bytes: size, bytesPerSecond: size / seconds };
}

export function socatAvailable() {
  return hasSocat() ? undefined : 'socat not installed (apt-get install socat)';
}
