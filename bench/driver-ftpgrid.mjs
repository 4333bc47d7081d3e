// Drives the ftpgrid standalone server through its CLI (dist/cli/main.js), in one of the two
// transfer modes: `auto` (zero-copy when possible) or `off` (always streams).
import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild, waitForGreeting } from './bench-utils.mjs';

const USER = 'bench';

// BENCH_FTPGRID_CLI points at another build of the CLI (e.g. one made with `tsup --out-dir`).
// BENCH_COMPARE_CLI adds the same rows for a second build, named "ftpgrid@B", for A/B runs.
function cliPath(projectRoot, compare) {
  if (compare) return process.env.BENCH_COMPARE_CLI;
  return process.env.BENCH_FTPGRID_CLI ?? join(projectRoot, 'dist', 'cli', 'main.js');
}
const PASS = 'bench';

function parseListening(line) {
  try {
    const entry = JSON.parse(line);
    return entry.msg === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {'auto' | 'off'} zeroCopy
 * @param {{ tls?: boolean, compare?: boolean }} [options] tls: explicit FTPS with a self-signed
 *   certificate, TLS required for login and data (curl --ssl-reqd, PROT P); always the stream
 *   path. compare: run the build at BENCH_COMPARE_CLI instead.
 */
export function ftpgridDriver(zeroCopy, { tls = false, compare = false } = {}) {
  const product = compare ? 'ftpgrid@B' : 'ftpgrid';
  return {
    name: tls ? `${product} (PROT P)` : zeroCopy === 'off' ? `${product} (stream)` : `${product} (zero-copy)`,
    async available({ projectRoot }) {
      const cli = cliPath(projectRoot, compare);
      if (cli === undefined) return 'BENCH_COMPARE_CLI not set';
      return existsSync(cli) ? undefined : `${cli} missing (npm run build failed?)`;
    },
    async start({ projectRoot, workDir, sourceFile }) {
      const root = join(workDir, `${product}-${zeroCopy}${tls ? '-tls' : ''}`);
      mkdirSync(join(root, 'up'), { recursive: true });
      linkSync(sourceFile, join(root, 'bench.bin'));
      const child = spawn(process.execPath, [
        cliPath(projectRoot, compare), 'serve',
        '--listen', '127.0.0.1:0', '--root', root, '--user', `${USER}:${PASS}`,
        '--zero-copy', zeroCopy, '--log-level', 'info',
        ...(tls ? ['--tls-self-signed', '--tls-required', 'all'] : []),
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      const notes = [];
      const port = await new Promise((resolve, reject) => {
        let buffered = '';
        let found;
        const timer = setTimeout(() => reject(new Error('ftpgrid did not report listening within 20 s')), 20_000);
        // Keep draining stderr for the whole run: a full pipe would stall the server.
        child.stderr.on('data', (chunk) => {
          buffered += chunk;
          let newline;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (/zero-copy/i.test(line) && notes.length < 5) notes.push(line);
            const listening = parseListening(line);
            if (found === undefined && listening !== undefined) {
              found = listening;
              clearTimeout(timer);
              resolve(listening);
            }
          }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`ftpgrid exited with ${code} before listening`)); });
      });
      await waitForGreeting(port);
      return {
        pid: child.pid,
        notes,
        url: (path) => `ftp://${USER}:${PASS}@127.0.0.1:${port}/${path}`,
        curlArgs: tls ? ['--ssl-reqd', '-k'] : [],
        localPath: (path) => join(root, path),
        stop: () => stopChild(child),
      };
    },
  };
}
