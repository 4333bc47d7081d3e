import { quotePathname, ReplyCode } from '../../parser/index.js';
import { FsError } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

async function changeDirectory(context: CommandContext, target: string, code: number): Promise<void> {
  context.authorize(target);
  const stat = await context.fs().stat(target, { signal: context.signal });
  if (stat.type !== 'dir') throw new FsError('not-directory', 'Not a directory', { path: target });
  context.state.cwd = target;
  await context.reply(code, `Directory changed to ${quotePathname(target)}`);
}

/** CWD / XCWD: 250, or 550 when the target is missing, not a directory or forbidden. */
export async function handleCwd(context: CommandContext, arg: string | undefined): Promise<void> {
  await changeDirectory(context, context.resolvePath(arg), ReplyCode.FileActionOk);
}

/** CDUP / XCUP: RFC 959 section 4.1.1 lists 200 for CDUP. At the root it stays at the root. */
export async function handleCdup(context: CommandContext): Promise<void> {
  await changeDirectory(context, context.resolvePath('..'), ReplyCode.CommandOk);
}

/** PWD / XPWD: 257 with the quoted current directory (RFC 959 appendix II). */
export async function handlePwd(context: CommandContext): Promise<void> {
  await context.reply(ReplyCode.PathnameCreated, `${quotePathname(context.state.cwd)} is the current directory`);
}

/** MKD / XMKD: 257 with the quoted new directory; 550 when it exists or the parent is missing. */
export async function handleMkd(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  await context.fs().mkdir(path, { signal: context.signal });
  await context.reply(ReplyCode.PathnameCreated, `${quotePathname(path)} created`);
}

/** RMD / XRMD: 250; 550 when missing, not empty or forbidden. The root is never removed. */
export async function handleRmd(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  if (path === '/') throw new FsError('permission', "Can't remove the root directory", { path });
  context.authorize(path);
  await context.fs().rmdir(path, { signal: context.signal });
  await context.reply(ReplyCode.FileActionOk, 'Directory removed');
}
