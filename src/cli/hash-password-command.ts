import type { Readable } from 'node:stream';
import { hashPassword } from '../vfs/index.js';
import { CliError } from './cli-error.js';
import type { CliOutput } from './serve-command.js';

/** A password longer than this is refused (the server refuses longer ones at PASS too). */
const MAX_PASSWORD_BYTES = 1024;

/** The first line of `input` (without its line end), reading at most a few KiB. */
async function firstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (text.includes('\n') || text.length > MAX_PASSWORD_BYTES * 4) break;
  }
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}

/**
 * `ftpgrid hash-password`: reads a password from the first line of stdin and prints its
 * scrypt hash (the `HASH` field of a `--users-file` line). Resolves with the exit code.
 */
export async function runHashPassword(input: Readable, output: CliOutput): Promise<number> {
  const password = await firstLine(input);
  if (password === '') throw new CliError('missing-option', 'hash-password: no password on stdin (pipe it in: printf "%s\\n" "PASSWORD" | ftpgrid hash-password)');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new CliError('invalid-option', `hash-password: the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  output.stdout(`${await hashPassword(password)}\n`);
  return 0;
}
