import { ReplyCode } from '../../parser/index.js';
import type { CommandContext, CommandRegistry } from '../../session/index.js';
import type { SlaveStatus } from './slave-node.js';

/** What the SITE commands of the master act on. */
export interface ClusterAdmin {
  /** The state, space, load and transfers of every known slave. */
  slaves(): SlaveStatus[];
  /** Asks the named slave for its file list again; false when no such slave is online. */
  remerge(name: string): Promise<boolean>;
  /** Disconnects the named slave (it reconnects and remerges); false when it is not connected. */
  kick(name: string): boolean;
  /** Bytes relayed through the master so far. */
  readonly relayedBytes: number;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${(bytes / 2 ** 20).toFixed(0)}MiB`;
}

/** One line of SITE SLAVES per slave. */
export function formatSlaveLine(s: SlaveStatus): string {
  return `${s.name} ${s.state} data=${s.dataAddress || '-'} free=${mib(s.freeBytes)} total=${mib(s.totalBytes)} load=${s.load.toFixed(2)} transfers=${s.transfers} queued=${s.queued}${s.conflicts > 0 ? ` conflicts=${s.conflicts}` : ''}`;
}

/** Replies 550 and resolves false unless the session's user is one of `admins`. */
export async function requireAdmin(context: CommandContext, admins: ReadonlySet<string>): Promise<boolean> {
  const user = context.state.user;
  if (user !== undefined && !user.anonymous && admins.has(user.name)) return true;
  await context.reply(ReplyCode.FileUnavailable, 'Permission denied: cluster administration is for admin users');
  return false;
}

/**
 * Registers SITE SLAVES, SITE REMERGE <slave> and SITE KICKSLAVE <slave>: 200/250 for
 * admins, 550 for everyone else, 501 without a slave name, 550 for an unknown slave.
 */
export function registerAdminCommands(registry: CommandRegistry, admin: ClusterAdmin, admins: readonly string[]): void {
  const allowed = new Set(admins);
  registry.registerSite('SLAVES', async (context) => {
    if (!(await requireAdmin(context, allowed))) return;
    const lines = admin.slaves().map(formatSlaveLine);
    await context.reply(ReplyCode.CommandOk, [`Slaves: ${lines.length}, relayed ${admin.relayedBytes} bytes`, ...lines, 'End']);
  }, 'SITE SLAVES: state, space, load and transfers of every slave');
  registry.registerSite('REMERGE', async (context, arg) => {
    if (!(await requireAdmin(context, allowed))) return;
    const name = (arg ?? '').trim();
    if (name === '') {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax: SITE REMERGE <slave>');
      return;
    }
    if (!(await admin.remerge(name))) {
      await context.reply(ReplyCode.FileUnavailable, `No connected slave named ${name}`);
      return;
    }
    await context.reply(ReplyCode.CommandOk, `Remerge of ${name} done`);
  }, 'SITE REMERGE <slave>: merge the slave\'s file list into the tree again');
  registry.registerSite('KICKSLAVE', async (context, arg) => {
    if (!(await requireAdmin(context, allowed))) return;
    const name = (arg ?? '').trim();
    if (name === '') {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax: SITE KICKSLAVE <slave>');
      return;
    }
    if (!admin.kick(name)) {
      await context.reply(ReplyCode.FileUnavailable, `No connected slave named ${name}`);
      return;
    }
    await context.reply(ReplyCode.CommandOk, `Slave ${name} disconnected; it will reconnect by itself`);
  }, 'SITE KICKSLAVE <slave>: disconnect a slave');
}
