import { execFile, spawnSync } from 'node:child_process';

/** True when `command` can be run (real-client tests skip clients that are not installed). */
export function hasTool(command: string, versionArg = '--version'): boolean {
  const result = spawnSync(command, [versionArg], { stdio: 'ignore', timeout: 10_000 });
  return result.error === undefined && result.status === 0;
}

/** Result of {@link runTool}. */
export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client to completion (bounded by `timeoutMs`, then killed). Never rejects. */
export function runTool(command: string, args: readonly string[], options: { timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      { timeout: options.timeoutMs ?? 20_000, cwd: options.cwd, maxBuffer: 4 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
