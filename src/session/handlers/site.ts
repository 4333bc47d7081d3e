import { ReplyCode } from '../../parser/index.js';
import { FsError, canChmod } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';
import { printableVerb } from '../dispatch.js';

/**
 * SITE: runs a registered subcommand (`SITE NAME args`); 500 for unknown ones, 530 before
 * login when the subcommand needs it.
 */
export async function handleSite(context: CommandContext, arg: string | undefined): Promise<void> {
  const match = /^\s*(\S+)(?:\s(.*))?$/.exec(arg ?? '');
  const name = match?.[1]?.toUpperCase() ?? '';
  const site = context.registry.site(name);
  if (site === undefined) {
    await context.reply(ReplyCode.SyntaxError, `SITE ${printableVerb(name)} not understood`);
    return;
  }
  if (site.needsLogin && context.state.phase !== 'logged-in') {
    await context.reply(ReplyCode.NotLoggedIn, 'Please login with USER and PASS');
    return;
  }
  const rest = match?.[2];
  await site.handler(context, rest === undefined || rest.trim() === '' ? undefined : rest);
}

/** SITE HELP: 214 with the subcommands. */
export async function handleSiteHelp(context: CommandContext): Promise<void> {
  const lines = context.registry.siteCommands().map((site) => ` ${site.help}`);
  await context.reply(ReplyCode.HelpMessage, ['SITE commands:', ...lines, 'End']);
}

/** SITE CHMOD <octal> <path>: 200; 501 for a bad mode; 502 when the filesystem cannot. */
export async function handleSiteChmod(context: CommandContext, arg: string | undefined): Promise<void> {
  const match = /^([0-7]{1,4}) (.+)$/.exec(arg ?? '');
  if (match === null) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: SITE CHMOD <octal mode> <path>');
    return;
  }
  const [, modeText = '0', pathArg] = match;
  const path = context.resolvePath(pathArg);
  context.requirePermission('chmod', path);
  const fs = context.fs();
  if (!canChmod(fs)) {
    await context.reply(ReplyCode.CommandNotImplemented, 'This filesystem cannot change permissions');
    return;
  }
  if (path === '/') throw new FsError('permission', "Can't change the root's permissions", { path });
  await fs.chmod(path, parseInt(modeText, 8), { signal: context.signal });
  await context.reply(ReplyCode.CommandOk, 'SITE CHMOD command successful');
}
