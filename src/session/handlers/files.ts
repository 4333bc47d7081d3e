import { ReplyCode } from '../../parser/index.js';
import { FsError } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

/** DELE: 250; 550 when missing, a directory or forbidden. */
export async function handleDele(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  await context.fs().delete(path, { signal: context.signal });
  await context.reply(ReplyCode.FileActionOk, 'File deleted');
}

/** RNFR: 350 when the source exists (RFC 959 section 4.1.3). */
export async function handleRnfr(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  if (path === '/') throw new FsError('permission', "Can't rename the root directory", { path });
  await context.fs().stat(path, { signal: context.signal });
  context.state.renameFrom = path;
  await context.reply(ReplyCode.PendingFurtherInformation, 'Ready for destination name (RNTO)');
}

/** RNTO: 250; 503 without a preceding RNFR; 550/553 when the rename fails. */
export async function handleRnto(context: CommandContext, arg: string | undefined): Promise<void> {
  const from = context.state.renameFrom;
  context.state.renameFrom = undefined;
  if (from === undefined) {
    await context.reply(ReplyCode.BadSequence, 'RNFR required first');
    return;
  }
  const to = context.resolvePath(arg);
  context.authorize(to);
  await context.fs().rename(from, to, { signal: context.signal });
  await context.reply(ReplyCode.FileActionOk, 'Rename successful');
}
