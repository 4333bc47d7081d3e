import { spawn, spawnSync } from 'node:child_process';

/** True when `command` can be run (real-client tests skip clients that are not installed). */
export function hasTool(command: string, versionArg = '--version'): boolean {
  const result = spawnSync(command, [versionArg], { stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/** Result of {@link runTool}. */
export interface ToolResult {
  /** Exit code; null when the tool was killed (timeout) or could not start. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was killed after `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Options of {@link runTool} and {@link runToolOrThrow}. */
export interface RunToolOptions {
  /** Killed (SIGKILL) after this long. @default 20_000 */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Written to stdin, which is then closed (closed at once when absent). */
  readonly input?: string;
}

/** Runs a client to completion (bounded by `timeoutMs`, then killed). Never rejects. */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      stderr += String(error);
      finish(null);
    });
    child.on('close', (code) => {
      finish(timedOut ? null : code);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}

/**
 * {@link runTool}, but rejects when the tool times out, or (unless `allowFailure`) cannot
 * start or exits non-zero, with its output in the message.
 */
export async function runToolOrThrow(command: string, args: readonly string[], options: RunToolOptions & { readonly allowFailure?: boolean } = {}): Promise<ToolResult> {
  const result = await runTool(command, args, { timeoutMs: 30_000, ...options });
  const detail = `${command} ${args.join(' ')}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
  if (result.timedOut) throw new Error(`timed out: ${detail}`);
  if (result.code !== 0 && options.allowFailure !== true) throw new Error(`exit code ${String(result.code)}: ${detail}`);
  return result;
}
