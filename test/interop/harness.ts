import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { createServer } from '../../src/server/index.js';
import type { FtpServer } from '../../src/server/index.js';
import { LocalFileSystem, MemoryAuthorizer } from '../../src/vfs/index.js';
import { makeTempDir } from '../support/temp-dir.js';

/** Credentials every interop scenario logs in with. */
export const USER = 'interop';
export const PASSWORD = 'p@ss word';

/** Names used by every scenario: spaces on purpose. */
export const DIR_NAME = 'inter op';
export const FILE_NAME = 'big file.bin';
export const RENAMED_NAME = 'renamed file.bin';

/** Sizes of the scenario's random payloads. */
export const MAIN_SIZE = 3 * 1024 * 1024 + 17;
export const APPEND_SIZE = 256 * 1024 + 3;
export const RESUME_OFFSET = 1024 * 1024 + 123;

/** A live server on 127.0.0.1 with a LocalFileSystem in a fresh temp dir. */
export interface InteropServer {
  readonly server: FtpServer;
  readonly host: string;
  readonly port: number;
  /** Host path of the served root. */
  readonly root: string;
  /** A scratch directory for the client's local files. */
  readonly work: string;
  /**
   * Waits (bounded) until every session has closed, then returns the verbs received since
   * the last call, in order.
   */
  settledVerbs(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the standalone server the way an embedder would, with shrunk timeouts. */
export async function startInteropServer(options: { zeroCopy?: 'auto' | 'off' } = {}): Promise<InteropServer> {
  const fdsBefore = openDescriptors();
  const rootDir = await makeTempDir('ftpgrid-interop-root-');
  const workDir = await makeTempDir('ftpgrid-interop-work-');
  const root = rootDir.path;
  const work = workDir.path;
  const fs = new LocalFileSystem({ root });
  const authorizer = new MemoryAuthorizer({ users: [{ name: USER, password: PASSWORD, fs }] });
  const server = createServer({
    authorizer,
    failedLoginDelayMs: 10,
    // The harness runs many client tools back to back from loopback.
    connectionRate: false,
    idleTimeoutMs: 30_000,
    zeroCopy: options.zeroCopy ?? 'auto', passiveTimeoutMs: 10_000, dataTimeoutMs: 20_000,
  });
  let verbs: string[] = [];
  server.on('command', (event) => {
    verbs.push(event.verb);
  });
  const { host, port } = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    server,
    host,
    port,
    root,
    work,
    async settledVerbs() {
      const deadline = Date.now() + 5_000;
      while (server.sessionCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.sessionCount, 'sessions still open after the client finished').toBe(0);
      const taken = verbs;
      verbs = [];
      return taken;
    },
    async close() {
      await server.close({ graceMs: 1_000 });
      await rootDir.remove();
      await workDir.remove();
      if (fdsBefore !== undefined) {
        // Every control, data and file descriptor of the run must be gone once closed.
        const deadline = Date.now() + 3_000;
        while ((openDescriptors() ?? 0) > fdsBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(openDescriptors(), 'open descriptors after close').toBeLessThanOrEqual(fdsBefore);
      }
    },
  };
}

/** Number of open descriptors of this process (Linux), or undefined elsewhere. */
export function openDescriptors(): number | undefined {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined;
}

/** The random payloads of one scenario run. */
export interface Payloads {
  readonly main: Buffer;
  readonly append: Buffer;
}

/** Fresh random content (incompressible, so nothing passes by luck). */
export function makePayloads(): Payloads {
  return { main: randomBytes(MAIN_SIZE), append: randomBytes(APPEND_SIZE) };
}

/** The verbs every full scenario must have sent (MLSD only where the client has it). */
export const SCENARIO_VERBS = ['USER', 'PASS', 'PWD', 'MKD', 'CWD', 'STOR', 'LIST', 'SIZE', 'MDTM', 'REST', 'RETR', 'RNFR', 'RNTO', 'DELE', 'RMD', 'QUIT'] as const;

/** Checks that the server saw every scenario verb plus `extra` (APPE, MLSD, ...). */
export function expectScenarioVerbs(seen: readonly string[], extra: readonly string[]): void {
  const missing = [...SCENARIO_VERBS, ...extra].filter((verb) => !seen.includes(verb));
  expect(missing, `verbs never sent; saw ${[...new Set(seen)].join(' ')}`).toEqual([]);
}

/** Transfer modes a client may drive. */
export type DataMode = 'passive' | 'active';
