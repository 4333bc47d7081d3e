import { ReplyCode } from '../../parser/index.js';
import { FsError, canChecksum, checksumOf, type ChecksumAlgorithm } from '../../vfs/index.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { hashName } from './hash-algorithms.js';

function digest(context: CommandContext, path: string, algorithm: ChecksumAlgorithm, start: number, end: number | undefined): Promise<string> {
  const fs = context.fs();
  const options = { start, end, signal: context.signal };
  // Fallback documented on ChecksumCapable: hash the bytes of openRead (vfs's one implementation).
  return canChecksum(fs) ? fs.checksum(path, algorithm, options) : checksumOf(fs, path, algorithm, options);
}

async function checkedFile(context: CommandContext, path: string): Promise<number> {
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  if (stat.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
  return stat.size;
}

/** HASH: `213 <ALG> <start>-<end> <hex> <path>` with the OPTS HASH algorithm (draft-bryan-ftpext-hash). */
export async function handleHash(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  const size = await checkedFile(context, path);
  const algorithm = context.state.hashAlgorithm;
  const hex = await digest(context, path, algorithm, 0, size);
  await context.reply(ReplyCode.FileStatus, `${hashName(algorithm)} 0-${size} ${hex} ${path}`);
}

/**
 * XCRC / XMD5 / XSHA1 / XSHA256 `path [start [end]]`: 250 with the hex digest; 501 for a bad
 * range. Paths with spaces work when no numeric range follows.
 */
export function checksumHandler(algorithm: ChecksumAlgorithm): CommandHandler {
  return async (context: CommandContext, arg: string | undefined): Promise<void> => {
    const match = /^(.*?)(?:\s+(\d{1,15}))?(?:\s+(\d{1,15}))?$/.exec(arg ?? '');
    const pathArg = match?.[1] ?? '';
    if (pathArg === '') {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: path [start [end]]');
      return;
    }
    const path = context.resolvePath(pathArg);
    const size = await checkedFile(context, path);
    const start = match?.[2] === undefined ? 0 : Number(match[2]);
    const end = match?.[3] === undefined ? size : Number(match[3]);
    if (start > end || end > size) {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Invalid range');
      return;
    }
    await context.reply(ReplyCode.FileActionOk, await digest(context, path, algorithm, start, end));
  };
}
