import { formatListLine, ReplyCode } from '../../parser/index.js';
import type { CommandContext } from '../command-context.js';
import { entriesOf, listingTarget } from './listing-helpers.js';

/**
 * STAT: without an argument, the server and session status (211), including the running
 * transfer's progress; with a path, a listing over the control connection (213, RFC 959
 * section 4.1.3), cut after `maxStatEntries` entries.
 */
export async function handleStat(context: CommandContext, arg: string | undefined): Promise<void> {
  const { state } = context;
  if (arg === undefined) {
    const lines = ['ftpgrid status:', ` Connected to ${context.peer.host}`];
    lines.push(state.user === undefined ? ' Not logged in' : ` Logged in as ${state.user.name}`);
    lines.push(` TYPE: ${state.type === 'ascii' ? 'ASCII' : 'BINARY'}; STRUcture: File; transfer MODE: Stream`);
    const transfer = state.transfer;
    if (transfer === undefined) lines.push(' No data connection');
    else lines.push(` ${transfer.verb} ${transfer.path}: ${transfer.bytes} bytes transferred`);
    lines.push('End of status');
    await context.reply(ReplyCode.SystemStatus, lines);
    return;
  }
  if (state.phase !== 'logged-in') {
    await context.reply(ReplyCode.NotLoggedIn, 'Please login with USER and PASS');
    return;
  }
  if (state.transfer !== undefined) {
    // Listing over the control connection while data flows would delay ABOR; refuse it.
    await context.reply(ReplyCode.BadSequence, 'STAT with a path is not available during a transfer');
    return;
  }
  const path = context.resolvePath(listingTarget(arg));
  context.requirePermission('list', path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  const now = new Date();
  const lines = [`Status of ${path}:`];
  let count = 0;
  for await (const { entry } of entriesOf(context, path, stat)) {
    if (count >= context.options.maxStatEntries) {
      lines.push(` (cut after ${count} entries)`);
      break;
    }
    lines.push(` ${formatListLine(entry, now)}`);
    count++;
  }
  lines.push('End of status');
  await context.reply(ReplyCode.FileStatus, lines);
}
