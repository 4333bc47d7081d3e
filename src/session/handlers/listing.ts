import { formatListLine, formatMlsxEntry, formatNlstLine, ReplyCode } from '../../parser/index.js';
import { FsError } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';
import { entriesOf, entryFor, listingTarget, mapAsync, permFact } from './listing-helpers.js';

async function requireDataEndpoint(context: CommandContext): Promise<boolean> {
  if (context.data.ready) return true;
  await context.reply(ReplyCode.CannotOpenDataConnection, 'Use PORT, EPRT, PASV or EPSV first');
  return false;
}

async function listing(context: CommandContext, verb: 'LIST' | 'NLST', arg: string | undefined): Promise<void> {
  const path = context.resolvePath(listingTarget(arg));
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  if (!(await requireDataEndpoint(context))) return;
  const now = new Date();
  const lines = mapAsync(entriesOf(context, path, stat), ({ entry }) =>
    verb === 'LIST' ? formatListLine(entry, now) : formatNlstLine(entry),
  );
  context.startTransfer({
    verb,
    path,
    upload: false,
    startText: 'Here comes the directory listing',
    doneText: 'Directory send OK',
    run: (options) => context.data.sendListing(lines, options),
  });
}

/** LIST: `ls -l` lines over the data connection; 450/550 when the path is missing. */
export async function handleList(context: CommandContext, arg: string | undefined): Promise<void> {
  await listing(context, 'LIST', arg);
}

/** NLST: names only. */
export async function handleNlst(context: CommandContext, arg: string | undefined): Promise<void> {
  await listing(context, 'NLST', arg);
}

/** MLSD: RFC 3659 section 7; 501 when the path is not a directory. */
export async function handleMlsd(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  if (stat.type !== 'dir') {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'MLSD needs a directory');
    return;
  }
  if (!(await requireDataEndpoint(context))) return;
  const facts = context.state.mlstFacts;
  const lines = mapAsync(entriesOf(context, path, stat), ({ entry, path: entryPath }) =>
    formatMlsxEntry(entry, { facts, perm: permFact(context, entryPath, entry.type) }),
  );
  context.startTransfer({
    verb: 'MLSD',
    path,
    upload: false,
    startText: 'Here comes the directory listing',
    doneText: 'MLSD complete',
    run: (options) => context.data.sendListing(lines, options),
  });
}

/** MLST: facts of one path on the control connection (RFC 3659 section 7: 250-... 250 End). */
export async function handleMlst(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  // MLST reveals metadata: it needs the list permission (pyftpdlib CVE-2009-5012).
  context.authorize(path);
  const stat = await context.fs().stat(path, { signal: context.signal });
  const entry = { ...entryFor(path, stat), name: path };
  const line = formatMlsxEntry(entry, { facts: context.state.mlstFacts, perm: permFact(context, path, stat.type) });
  if (/[\r\n]/.test(line)) throw new FsError('name-invalid', 'Name cannot be shown', { path });
  // RFC 3659 section 7.2: each entry line is SP entry, and entry is [facts] SP pathname, so an
  // entry without facts is sent with two spaces.
  await context.reply(ReplyCode.FileActionOk, [`Listing ${path}`, ` ${line}`, 'End']);
}
