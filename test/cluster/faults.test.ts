import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, runToolOrThrow } from '../support/run-tool.js';
import { PASSWORD, USER, startProcessCluster, type ProcessCluster } from './helpers/process-cluster.js';
import { ftplibReply, ftplibRetr, hasPython } from './helpers/python-ftp.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const canRun = hasTool('curl') && hasPython;

/** Starts an ftplib upload that pauses after `first` bytes until told to go on. */
function pausedUpload(port: number, remote: string, first: number, total: number): { sent: Promise<void>; resume: () => void; done: Promise<string> } {
  const script = `
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', ${port}, timeout=30)
ftp.login(${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)})
ftp.voidcmd('TYPE I')
conn = ftp.transfercmd('STOR ${remote}')
chunk = b'x' * 65536
sent = 0
while sent < ${first}:
    conn.sendall(chunk); sent += len(chunk)
print('SENT', flush=True)
sys.stdin.readline()
try:
    while sent < ${total}:
        conn.sendall(chunk); sent += len(chunk)
except OSError:
    pass
conn.close()
try:
    print(ftp.voidresp())
except ftplib.all_errors as e:
    print(str(e))
`;
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<string>((resolve) => {
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(out.replace('SENT\n', '').trim() || err.trim());
    });
  });
  const sent = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (out.includes('SENT')) resolve();
    };
    child.stdout.on('data', check);
    void done.then(() => {
      reject(new Error(`python exited before sending: ${out} ${err}`));
    });
  });
  return { sent, resume: () => child.stdin.end('go\n'), done };
}

describe.skipIf(!canRun)('cluster faults with real processes', () => {
  let cluster: ProcessCluster;
  beforeAll(async () => {
    cluster = await startProcessCluster(['f1', 'f2']);
  }, 90_000);
  afterAll(async () => {
    await cluster.close();
  }, 60_000);

  const url = (path: string): string => `ftp://127.0.0.1:${cluster.ftpPort}${path}`;
  const curl = (...args: string[]): ReturnType<typeof runToolOrThrow> =>
    runToolOrThrow('curl', ['-sS', '--max-time', '60', '-u', `${USER}:${PASSWORD}`, ...args], { timeoutMs: 70_000 });
  const upload = async (name: string, size: number): Promise<Buffer> => {
    const data = randomBytes(size);
    const local = join(cluster.dir.path, `${name}.up`);
    await writeFile(local, data);
    await curl('--ftp-pret', '-T', local, url(`/${name}`));
    return data;
  };
  const holder = (name: string): string => {
    const holders = ['f1', 'f2'].filter((n) => existsSync(join(cluster.slaveRoot(n), name)));
    if (holders.length !== 1) throw new Error(`${name} is on ${holders.length} slaves`);
    return holders[0]!;
  };

  it('refuses a slave with a wrong secret, logs it, and never lists it', async () => {
    const wrong = join(cluster.dir.path, 'wrong-secret');
    await writeFile(wrong, 'this-is-not-the-cluster-secret!!\n');
    await chmod(wrong, 0o600);
    const intruder = await cluster.startSlave('intruder', [], wrong);
    await intruder.waitForStderr(/the master refused us: authentication failed/, 30_000);
    await cluster.master.waitForStderr(/intruder failed authentication[^\n]*refused a cluster connection/, 30_000);
    expect((await cluster.slaveLines()).some((l) => l.startsWith('intruder'))).toBe(false);
    await cluster.killSlave('intruder', 'SIGTERM');
    cluster.slaves.delete('intruder');
  }, 60_000);

  it('answers 450 quickly for a file whose only holder is offline, keeps serving the rest, and serves it again once the slave is back', async () => {
    const a = await upload('only-a.bin', 100_000);
    const holderA = holder('only-a.bin');
    // A second file on the other slave: uploads alternate, but do not rely on it (a new name
    // each time, since an upload over an existing file goes to the slave that holds it).
    let bName = 'only-b-0.bin';
    let b = await upload(bName, 100_000);
    for (let i = 1; holder(bName) === holderA && i < 6; i++) {
      bName = `only-b-${i}.bin`;
      b = await upload(bName, 100_000);
    }
    expect(holder(bName)).not.toBe(holderA);
    await cluster.killSlave(holderA);
    await cluster.waitOffline(holderA);
    const reply = await ftplibRetr(cluster.ftpPort, USER, PASSWORD, '/only-a.bin', join(cluster.dir.path, 'only-a.back'));
    expect(reply).toBe('450 File unavailable, try again later.');
    const backB = join(cluster.dir.path, 'only-b.back');
    await curl('-o', backB, url(`/${bName}`));
    expect(sha(await readFile(backB))).toBe(sha(b));
    await cluster.startSlave(holderA);
    await cluster.waitOnline([holderA]);
    const backA = join(cluster.dir.path, 'only-a.back2');
    await curl('-o', backA, url('/only-a.bin'));
    expect(sha(await readFile(backA))).toBe(sha(a));
  }, 120_000);

  it('a slave killed in the middle of an upload: the client gets 426 and no half file appears', async () => {
    const upload = pausedUpload(cluster.ftpPort, '/half.bin', 2 * 1024 * 1024, 64 * 1024 * 1024);
    await upload.sent;
    // The relay's target is one of the two slaves: kill both, then bring them back.
    await cluster.killSlave('f1');
    await cluster.killSlave('f2');
    upload.resume();
    expect(await upload.done).toMatch(/^426 /);
    const list = (await curl(url('/'))).stdout;
    expect(list).not.toContain('half.bin');
    await cluster.startSlave('f1');
    await cluster.startSlave('f2');
    await cluster.waitOnline(['f1', 'f2']);
    expect(await ftplibReply(cluster.ftpPort, USER, PASSWORD, 'SIZE /half.bin')).toBe('550 No such file or directory.');
  }, 120_000);

  it('a master killed with SIGKILL restarts with every acknowledged file, and the slaves come back by themselves', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 4; i++) files.set(`kill-${i}.bin`, await upload(`kill-${i}.bin`, 50_000 + i));
    await cluster.restartMaster(true);
    await cluster.waitOnline(['f1', 'f2'], 60_000);
    const listing = (await curl('-X', 'MLSD', url('/'))).stdout;
    for (const [name, data] of files) {
      expect(listing).toMatch(new RegExp(`size=${data.length};[^\\r\\n]* ${name.replace('.', '\\.')}\\r?$`, 'm'));
      const back = join(cluster.dir.path, `${name}.back`);
      await curl('-o', back, url(`/${name}`));
      expect(sha(await readFile(back))).toBe(sha(data));
    }
  }, 120_000);
});
