import { ReplyCode } from '../../parser/index.js';
import { replyForError, type CommandContext, type CommandRegistry } from '../../session/index.js';
import { requireAdmin } from './admin-commands.js';
import type { ReplicationManager } from './replication/index.js';

function ago(ms: number): string {
  return `${Math.max(0, Math.round((Date.now() - ms) / 1000))}s ago`;
}

function statusLines(replication: ReplicationManager): string[] {
  const s = replication.status();
  const lines = [
    `Replication: backlog=${s.backlog}${s.overflowed ? '+' : ''} blocked=${s.blocked} running=${s.running.length} copied=${s.copied} (${s.copiedBytes} bytes) failed=${s.failed} corrupt=${s.corrupt} pruned=${s.pruned} scrubbed=${s.scrubbed}`,
    `Default copies=${replication.options.copies} groups=${replication.groups.entries().map(([g, m]) => `${g}:${m.join('+')}`).join(',') || '-'}`,
  ];
  if (s.lastScan !== undefined) lines.push(`Last scan: ${s.lastScan.files} files, ${s.lastScan.queued} queued, ${ago(s.lastScan.finishedMs)}`);
  for (const run of s.running) lines.push(`copying ${run.path} ${run.from} -> ${run.to} (${run.size} bytes, since ${ago(run.startedMs)})`);
  for (const action of s.recent.slice(0, 10)) {
    lines.push(`${action.kind} ${action.path} ${action.from === undefined ? '' : `${action.from} -> `}${action.slave}${action.reason === undefined ? '' : ` (${action.reason})`} ${ago(action.atMs)}`);
  }
  lines.push('End');
  return lines;
}

async function withPath(context: CommandContext, arg: string | undefined, usage: string, run: (path: string) => Promise<void>): Promise<void> {
  const input = (arg ?? '').trim();
  if (input === '') {
    await context.reply(ReplyCode.SyntaxErrorInArguments, usage);
    return;
  }
  try {
    await run(context.resolvePath(input));
  } catch (error) {
    const reply = replyForError(error, 'SITE');
    await context.reply(reply.code, reply.text);
  }
}

/**
 * Registers the replication SITE commands, for `admins` only (550 for others):
 * `SITE REPLICATION` (backlog, running copies, counters, recent actions),
 * `SITE REPLICATION <path>` (copies of one file), `SITE VERIFY <path>` (checks every copy's
 * SHA-256 now; corrupt ones are dropped and healed) and `SITE FORGETSLAVE <slave>` (a slave
 * removed for good: its copies no longer count and are made elsewhere).
 */
export function registerReplicationCommands(registry: CommandRegistry, replication: ReplicationManager, admins: readonly string[]): void {
  const allowed = new Set(admins);
  registry.registerSite('REPLICATION', async (context, arg) => {
    if (!(await requireAdmin(context, allowed))) return;
    if ((arg ?? '').trim() === '') {
      await context.reply(ReplyCode.CommandOk, statusLines(replication));
      return;
    }
    await withPath(context, arg, 'Syntax: SITE REPLICATION [path]', async (path) => {
      const file = await replication.fileStatus(path);
      const holders = file.holders.map((h) => `${h.slave}:${h.state}${h.counted ? '' : ':not-counted'}`).join(' ');
      await context.reply(ReplyCode.CommandOk, [
        `${file.path}: copies=${file.holders.filter((h) => h.counted).length} min=${file.min} max=${Number.isFinite(file.max) ? file.max : '-'}${file.group === undefined ? '' : ` group=${file.group}`}${file.pending ? ' pending' : ''}`,
        `holders: ${holders || '-'}`,
        'End',
      ]);
    });
  }, 'SITE REPLICATION [path]: replication backlog and actions, or the copies of one file');
  registry.registerSite('VERIFY', async (context, arg) => {
    if (!(await requireAdmin(context, allowed))) return;
    await withPath(context, arg, 'Syntax: SITE VERIFY <path>', async (path) => {
      const result = await replication.verify(path, context.signal);
      const lines = result.copies.map((c) => `${c.slave} ${c.ok === undefined ? 'unknown' : c.ok ? 'ok' : 'corrupt (dropped)'}`);
      await context.reply(ReplyCode.CommandOk, [`${path}: ${result.copies.length} online copies checked`, ...lines, 'End']);
    });
  }, 'SITE VERIFY <path>: compare the SHA-256 of every copy of a file now');
  registry.registerSite('FORGETSLAVE', async (context, arg) => {
    if (!(await requireAdmin(context, allowed))) return;
    const name = (arg ?? '').trim();
    if (name === '') {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax: SITE FORGETSLAVE <slave>');
      return;
    }
    const files = await replication.forgetSlave(name);
    await context.reply(ReplyCode.CommandOk, `Slave ${name} no longer holds ${files} files; their copies will be made elsewhere`);
  }, 'SITE FORGETSLAVE <slave>: a slave removed for good; copy its files elsewhere');
}
