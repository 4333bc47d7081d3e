import { formatMlsxTime, parseMlsxTime, ReplyCode } from '../../parser/index.js';
import { FsError, asciiSizeOf, canSetTimes, canStatNow, type FileStat, type FileSystem } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

/**
 * Largest file whose TYPE A size SIZE computes: that means reading the whole file, so it is
 * bounded; bigger files get 550 in TYPE A (RFC 3659 section 4 lets a server refuse then).
 */
const MAX_ASCII_SIZE_SCAN = 1024 * 1024;

/** The stat of `path` if `fs` answers at once (see `StatNowCapable`), else undefined. Throws what `stat` rejects with. */
function statNow(fs: FileSystem, path: string): FileStat | undefined {
  return canStatNow(fs) ? fs.statNow(path) : undefined;
}

/**
 * SIZE: 213 with the octets a RETR in the current TYPE would send (RFC 3659 section 4): the
 * file size in TYPE I; in TYPE A the size after LF-to-CRLF, for files up to 1 MiB (550 above,
 * with a hint to use TYPE I). 550 for directories and missing files.
 *
 * Not `async`: in TYPE I on a filesystem that answers a stat at once, the reply is written in
 * the same turn (a SIZE is often sent by the thousand); errors are thrown, not rejected.
 */
export function handleSize(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  const fs = context.fs();
  const stat = statNow(fs, path);
  if (stat === undefined || context.state.type === 'ascii') return sizeLater(context, fs, path, stat);
  if (stat.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
  return context.reply(ReplyCode.FileStatus, String(stat.size));
}

async function sizeLater(context: CommandContext, fs: FileSystem, path: string, known: FileStat | undefined): Promise<void> {
  const stat = known ?? (await fs.stat(path, { signal: context.signal }));
  if (stat.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
  if (context.state.type !== 'ascii') {
    await context.reply(ReplyCode.FileStatus, String(stat.size));
    return;
  }
  if (stat.size > MAX_ASCII_SIZE_SCAN) {
    await context.reply(ReplyCode.FileUnavailable, 'SIZE in ASCII mode is only given for files up to 1 MiB; use TYPE I');
    return;
  }
  await context.reply(ReplyCode.FileStatus, String(await asciiSizeOf(fs, path, { signal: context.signal })));
}

/** MDTM: 213 YYYYMMDDHHMMSS (UTC, RFC 3659 section 3); 550 when missing. Not `async`, as SIZE. */
export function handleMdtm(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  const fs = context.fs();
  const stat = statNow(fs, path);
  if (stat === undefined) return mdtmLater(context, fs, path);
  return context.reply(ReplyCode.FileStatus, formatMlsxTime(stat.mtime).slice(0, 14));
}

async function mdtmLater(context: CommandContext, fs: FileSystem, path: string): Promise<void> {
  const stat = await fs.stat(path, { signal: context.signal });
  await context.reply(ReplyCode.FileStatus, formatMlsxTime(stat.mtime).slice(0, 14));
}

/**
 * MFMT: sets the modification time (draft-somers-ftp-mfxx): `213 Modify=time; path`;
 * 501 for a bad time, 502 when the filesystem cannot set times, 550 when missing or forbidden.
 */
export async function handleMfmt(context: CommandContext, arg: string | undefined): Promise<void> {
  const match = /^(\d{14}(?:\.\d{1,3})?) (.+)$/.exec(arg ?? '');
  if (match === null) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: MFMT YYYYMMDDHHMMSS path');
    return;
  }
  const [, timeText = '', pathArg] = match;
  const mtime = parseMlsxTime(timeText);
  const path = context.resolvePath(pathArg);
  context.authorize(path);
  const fs = context.fs();
  if (!canSetTimes(fs)) {
    await context.reply(ReplyCode.CommandNotImplemented, 'This filesystem cannot set modification times');
    return;
  }
  await fs.stat(path, { signal: context.signal });
  await fs.setTimes(path, mtime, { signal: context.signal });
  await context.reply(ReplyCode.FileStatus, `Modify=${timeText}; ${path}`);
}
