import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { zeroCopyAddonCandidates } from '../../src/transfer/zero-copy/index.js';
import { sparseFile, tempDir, type TempDir } from './helpers.js';

let dir: TempDir | undefined;
afterEach(() => {
  dir?.cleanup();
  dir = undefined;
});

// A child process starts transfers that cannot finish (the peer never reads, or never sends)
// and exits while their threads still run: the native state they touch must outlive the
// environment, so the exit is clean rather than a crash.
const CHILD = `
const net = require('node:net');
const fs = require('node:fs');
const binding = require(process.env.ADDON);
const server = net.createServer({ pauseOnConnect: true }, (socket) => {
  const file = fs.openSync(process.env.FILE, 'r');
  const out = fs.openSync(process.env.FILE + '.up', 'w');
  binding.sendFile(file, socket._handle.fd, 0, -1, () => {});
  binding.receiveFile(socket._handle.fd, out, 0, -1, () => {});
  setTimeout(() => process.exit(0), 150);
});
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1');
  client.pause();
});
setTimeout(() => process.exit(3), 10000).unref();
`;

describe('native transfers at process exit', () => {
  it.runIf(process.platform === 'linux')('exits cleanly while transfer threads still run', async () => {
    dir = tempDir();
    const addon = zeroCopyAddonCandidates(process.cwd()).find((p) => existsSync(p));
    expect(addon).toBeDefined();
    sparseFile(dir.file('big'), 256 * 1024 * 1024);
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['-e', CHILD], { env: { ...process.env, ADDON: addon, FILE: dir.file('big') }, stdio: 'ignore' });
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    }
  });
});
