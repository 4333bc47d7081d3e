import { connect, createServer, Socket } from 'node:net';
import { once } from 'node:events';
import { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  loadZeroCopyEngine,
  loadZeroCopyEngineFrom,
  socketFd,
  zeroCopyAddonCandidates,
  ZERO_COPY_ADDON_FILE,
} from '../../src/transfer/zero-copy/index.js';
import { tempDir, writeFile, type TempDir } from './helpers.js';

let dir: TempDir | undefined;
afterEach(() => {
  dir?.cleanup();
  dir = undefined;
});

function recordingLog(): { warn: ReturnType<typeof vi.fn<(msg: string) => void>>; info: ReturnType<typeof vi.fn<(msg: string) => void>> } {
  return { warn: vi.fn<(msg: string) => void>(), info: vi.fn<(msg: string) => void>() };
}

describe('loadZeroCopyEngineFrom (the fallback path)', () => {
  it('returns null and logs one line saying streams are used when the addon does not exist', () => {
    const log = recordingLog();
    const engine = loadZeroCopyEngineFrom(['/nonexistent/ftpgrid/build/Release/ftpgrid_zero_copy.node', '/also/missing.node'], log);
    expect(engine).toBeNull();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[0]).toMatch(/streams/);
    expect(log.info).not.toHaveBeenCalled();
  });

  it('returns null when the file exists but is not a loadable addon', () => {
    dir = tempDir();
    const fake = dir.file(ZERO_COPY_ADDON_FILE);
    writeFile(fake, Buffer.from('not an ELF object'));
    const log = recordingLog();
    expect(loadZeroCopyEngineFrom([fake], log)).toBeNull();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[0]).toMatch(/failed to load/);
  });

  it('is silent without a log', () => {
    expect(loadZeroCopyEngineFrom([])).toBeNull();
  });

  it.runIf(process.platform === 'linux')('loads a real build and says where from', () => {
    const log = recordingLog();
    const built = zeroCopyAddonCandidates(process.cwd()).filter((p) => p.startsWith(process.cwd()));
    const engine = loadZeroCopyEngineFrom(['/nonexistent.node', ...built], log);
    expect(engine).not.toBeNull();
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.info.mock.calls[0]?.[0]).toContain(join('build', 'Release', ZERO_COPY_ADDON_FILE));
  });
});

describe('loadZeroCopyEngine', () => {
  it.runIf(process.platform === 'linux')('finds the addon built at install, once, and caches it', () => {
    const first = loadZeroCopyEngine();
    const log = recordingLog();
    const second = loadZeroCopyEngine(log);
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.info).not.toHaveBeenCalled();
  });

  it('looks in build/Release and prebuilds/<platform>-<arch>, up a bounded number of levels', () => {
    const candidates = zeroCopyAddonCandidates('/a/b/c');
    expect(candidates).toContain(join('/a/b/c', 'build', 'Release', ZERO_COPY_ADDON_FILE));
    expect(candidates).toContain(join('/a', 'prebuilds', `${process.platform}-${process.arch}`, ZERO_COPY_ADDON_FILE));
    expect(candidates).toContain(join('/', 'build', 'Release', ZERO_COPY_ADDON_FILE));
    expect(zeroCopyAddonCandidates('/1/2/3/4/5/6/7/8/9/10/11/12').length).toBeLessThanOrEqual(18);
  });
});

describe('socketFd', () => {
  it('gives the descriptor of a connected socket and nothing for unconnected or TLS sockets', async () => {
    const server = createServer((s) => s.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const client = connect(address.port, '127.0.0.1');
    await once(client, 'connect');
    try {
      const fd = socketFd(client);
      expect(typeof fd).toBe('number');
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(socketFd(new Socket())).toBeUndefined();
      const raw = new Socket();
      expect(socketFd(new TLSSocket(raw))).toBeUndefined();
      raw.destroy();
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
    expect(socketFd(client)).toBeUndefined();
  });
});
