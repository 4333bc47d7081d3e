import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI source, run through tsx so tests never need a build. */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Default budget of a child's wait. Each child compiles the sources through tsx first: about 3 s
 * on an idle 2-core machine, several times that when test files and other work share the cores.
 */
const CHILD_WAIT_MS = 45_000;

/** Test timeout for tests that start children: room for a start and a few waits. */
export const CHILD_TEST_MS = 90_000;

/** A running `ftpgrid` child process with its collected output. */
export interface CliChild {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once it exits; kills it after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | string>;
  /** Resolves once stderr matches `pattern`; rejects after `timeoutMs` or if the process exits. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Same as {@link CliChild.waitForStderr} for stdout. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Spawns `node --import tsx src/cli/main.ts ...args`. */
export function spawnCli(args: readonly string[]): CliChild {
  return spawnTypeScript(CLI_MAIN, args);
}

/** Spawns `node --import tsx <file> ...args` with extra environment variables. */
export function spawnTypeScript(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async exited(timeoutMs = CHILD_WAIT_MS) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    waitForStderr(pattern, timeoutMs = CHILD_WAIT_MS) {
      return waitFor('stderr', pattern, timeoutMs);
    },
    waitForStdout(pattern, timeoutMs = CHILD_WAIT_MS) {
      return waitFor('stdout', pattern, timeoutMs);
    },
  };

  function waitFor(which: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const stream = child[which];
    const text = (): string => (which === 'stdout' ? out : err);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(text());
        if (match === null) return false;
        cleanup();
        resolve(match);
        return true;
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`the process exited before printing ${String(pattern)}; stdout:\n${out}\nstderr:\n${err}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${String(pattern)}; stdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        stream.off('data', check);
        child.off('exit', onExit);
      };
      stream.on('data', check);
      child.once('exit', onExit);
      check();
    });
  }
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCliToEnd(args: readonly string[], timeoutMs = CHILD_WAIT_MS): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const cli = spawnCli(args);
  const code = await cli.exited(timeoutMs);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
