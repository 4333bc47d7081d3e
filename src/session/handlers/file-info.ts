import { formatMlsxTime, parseMlsxTime, ReplyCode } from '../../parser/index.js';
import { FsError, canSetTimes } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

/** SIZE: 213 with the size of a plain file (RFC 3659 section 4); 550 otherwise. */
export async function handleSize(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  if (stat.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
  await context.reply(ReplyCode.FileStatus, String(stat.size));
}

/** MDTM: 213 YYYYMMDDHHMMSS (UTC, RFC 3659 section 3); 550 when missing. */
export async function handleMdtm(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
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
