import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLmdbMetadataStore } from '../../../src/cluster/index.js';
import type { TempDir } from '../../support/temp-dir.js';
import { makeTempDir } from '../../support/temp-dir.js';

const WRITER = fileURLToPath(new URL('./fixtures/kill-writer.ts', import.meta.url));
const ACKS_BEFORE_KILL = 400;

interface Killed {
  /** Indexes whose putFile resolved. */
  readonly puts: Set<number>;
  /** Indexes whose rename to /moved<first>/ resolved. */
  readonly moves: Set<number>;
  readonly stdout: string;
}

/** Runs the writer until it has acknowledged enough writes, then SIGKILLs it mid-stream. */
async function writeThenKill(path: string, first: number, durability: string): Promise<Killed> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(first), durability], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => {
    resolve(signal ?? `exit ${code ?? '?'}`);
  }));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`writer too slow: ${stdout.length} bytes of acks; stderr: ${stderr}`));
      }, 60_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if ((stdout.match(/^put /gm)?.length ?? 0) >= ACKS_BEFORE_KILL) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`writer exited early (${how}): ${stderr}`));
      });
    });
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  // Only complete lines count: a line is printed after its write resolved.
  const lines = stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n');
  const puts = new Set<number>();
  const moves = new Set<number>();
  for (const line of lines) {
    const [verb, index] = line.split(' ');
    if (verb === 'put') puts.add(Number(index));
    if (verb === 'mv') moves.add(Number(index));
  }
  return { puts, moves, stdout };
}

/** Checks that every acknowledged write of a killed writer is in the reopened store. */
async function expectAcknowledged(path: string, first: number, killed: Killed): Promise<void> {
  const store = await openLmdbMetadataStore({ path });
  try {
    let checked = 0;
    for (const i of killed.puts) {
      const original = `/k${first}/d${i % 20}/f${i}`;
      const moved = `/moved${first}/f${i}`;
      const at = killed.moves.has(i) ? await store.get(moved) : ((await store.get(original)) ?? (await store.get(moved)));
      expect(at, `acknowledged write ${i} lost`).toMatchObject({ type: 'file', size: i, mtimeMs: i, holders: [`s${i % 3}`] });
      if (killed.moves.has(i)) expect(await store.get(original)).toBeUndefined();
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  } finally {
    await store.close();
  }
}

describe('LmdbMetadataStore and SIGKILL', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir('ftpgrid-lmdb-kill-');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('keeps every acknowledged write of a process killed mid-stream, twice over', { timeout: 120_000 }, async () => {
    const path = join(dir.path, 'metadata');
    const first = await writeThenKill(path, 0, 'flushed');
    expect(first.stdout).not.toContain('done');
    expect(first.moves.size).toBeGreaterThan(0);
    await expectAcknowledged(path, 0, first);
    // The killed store opens and takes writes again; the first run's records are still there.
    const second = await writeThenKill(path, 1_000_000, 'committed');
    expect(second.stdout).not.toContain('done');
    await expectAcknowledged(path, 1_000_000, second);
    await expectAcknowledged(path, 0, first);
  });
});
