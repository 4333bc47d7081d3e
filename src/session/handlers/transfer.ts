import { ReplyCode } from '../../parser/index.js';
import { randomBytes } from 'node:crypto';
import { FsError, isFsError } from '../../vfs/index.js';
import type { CommandContext } from '../command-context.js';

/** Names tried by STOU before giving up (bounded: CVE-2007-6740). */
const STOU_ATTEMPTS = 10;

/** True when a data endpoint is prepared; otherwise replies 425 (RFC 959: PASV/PORT first). */
async function requireDataEndpoint(context: CommandContext): Promise<boolean> {
  if (context.data.ready) return true;
  await context.reply(ReplyCode.CannotOpenDataConnection, 'Use PORT, EPRT, PASV or EPSV first');
  return false;
}

function takeRest(context: CommandContext): number {
  const offset = context.state.restOffset ?? 0;
  context.state.restOffset = undefined;
  return offset;
}

/**
 * A restart offset counts bytes of the stream as sent (RFC 3659 section 5.1). In TYPE A that
 * stream is the converted (CRLF) one, whose positions do not map to file positions without
 * reading the file up to them; ftpgrid refuses a nonzero restart there rather than resume at
 * the wrong byte. The REST command itself is refused in TYPE A (504), so this only sees an
 * offset given in TYPE I before a switch to TYPE A: 555, "type or stru mismatch" (RFC 3659
 * section 5.4), and returns false.
 */
async function restartAllowed(context: CommandContext, offset: number): Promise<boolean> {
  if (offset === 0 || context.state.type !== 'ascii') return true;
  await context.reply(ReplyCode.TypeOrStruMismatch, 'Restart offset was given for TYPE I; restart is not supported in ASCII mode');
  return false;
}

/**
 * REST: 350 with the offset (RFC 3659 section 5, stream mode); 501 unless a non-negative
 * integer; 504 for a nonzero offset in TYPE A (see {@link restartAllowed}), so a client falls
 * back to a whole transfer before it starts one.
 */
export async function handleRest(context: CommandContext, arg: string | undefined): Promise<void> {
  const value = (arg ?? '').trim();
  if (!/^\d{1,15}$/.test(value)) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'REST requires a non-negative integer');
    return;
  }
  const offset = Number(value);
  if (offset > 0 && context.state.type === 'ascii') {
    context.state.restOffset = undefined;
    await context.reply(ReplyCode.ParameterNotImplemented, 'Restart is not supported in ASCII mode; use TYPE I');
    return;
  }
  context.state.restOffset = offset;
  await context.reply(ReplyCode.PendingFurtherInformation, `Restarting at ${value}. Send STORE or RETRIEVE to initiate transfer`);
}

/** RETR: 150 then 226; 550 for missing/directory/forbidden; 554 when REST is past the end. */
export async function handleRetr(context: CommandContext, arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  const offset = takeRest(context);
  context.authorize(path);
  const fs = context.fs();
  const mode = context.state.type === 'ascii' ? 'ASCII' : 'BINARY';
  // Without a restart offset, with an endpoint ready and a data plane that tells the size at
  // the start, the open answers everything a lookup would (550 for a missing file or a
  // directory, the size for the 150): the file is looked up once instead of twice. Otherwise
  // the checks below keep their order (550 before 555/554 before 425).
  if (offset === 0 && context.data.ready && context.data.reportsStartSize === true) {
    context.startTransfer({
      verb: 'RETR',
      path,
      upload: false,
      startText: (info) => `Opening ${mode} mode data connection for ${path}${info?.bytes === undefined ? '' : ` (${info.bytes} bytes)`}`,
      checkedByOpen: true,
      run: (options) => context.data.retrieve(fs, path, options),
    });
    return;
  }
  const stat = await context.fs().stat(path, { signal: context.signal });
  if (stat.type !== 'file') throw new FsError('is-directory', 'Not a plain file', { path });
  if (!(await restartAllowed(context, offset))) return;
  if (offset > stat.size) {
    await context.reply(ReplyCode.InvalidRestParameter, 'Restart offset is past the end of the file');
    return;
  }
  if (!(await requireDataEndpoint(context))) return;
  context.startTransfer({
    verb: 'RETR',
    path,
    upload: false,
    startText: `Opening ${mode} mode data connection for ${path} (${stat.size - offset} bytes)`,
    run: (options) => context.data.retrieve(fs, path, { ...options, offset }),
  });
}

/**
 * REST is defined before RETR and STOR only (RFC 3659 section 5.5). Before APPE it used to
 * write at the offset and cut the file there, which destroys data an append must keep; before
 * STOU it has no meaning for a new file. Both are refused with 554, the REST reply of RFC
 * 3659 section 5.4, and the offset is forgotten.
 */
async function refuseRestart(context: CommandContext, verb: string, offset: number): Promise<boolean> {
  if (offset === 0) return false;
  await context.reply(ReplyCode.InvalidRestParameter, `REST is not allowed before ${verb}; use REST with RETR or STOR`);
  return true;
}

async function store(context: CommandContext, verb: 'STOR' | 'APPE', arg: string | undefined): Promise<void> {
  const path = context.resolvePath(arg);
  const offset = takeRest(context);
  if (verb === 'APPE' && (await refuseRestart(context, verb, offset))) return;
  if (!(await restartAllowed(context, offset))) return;
  const append = verb === 'APPE';
  // A whole new STOR needs nothing of the target before the open, which refuses a directory
  // (550) itself: no lookup first when the endpoint is ready and `write` is granted (else the
  // checks below keep their order and replies).
  const start = (checkedByOpen: boolean): void => {
    const fs = context.fs();
    context.startTransfer({
      verb,
      path,
      upload: true,
      startText: `Opening data connection for ${path}`,
      checkedByOpen,
      run: (options) => context.data.store(fs, path, { ...options, offset, append }),
    });
  };
  if (offset === 0 && !append && context.data.ready && context.user().can('write', path)) {
    start(true);
    return;
  }
  let size: number | undefined;
  try {
    const stat = await context.fs().stat(path, { signal: context.signal });
    if (stat.type === 'dir') throw new FsError('is-directory', 'Is a directory', { path });
    size = stat.size;
  } catch (error: unknown) {
    if (!isFsError(error, 'not-found')) throw error;
    // A restart needs the file it resumes: its absence is permanent (550), not a local error.
    if (offset > 0) throw error;
  }
  const exists = size !== undefined;
  if (size !== undefined && offset > size) {
    await context.reply(ReplyCode.InvalidRestParameter, 'Restart offset is past the end of the file');
    return;
  }
  // Overwriting needs `write`; adding bytes to an existing file only `append` (pyftpdlib's a/w split).
  context.requirePermission(exists && (append || offset > 0) ? 'append' : 'write', path);
  if (!(await requireDataEndpoint(context))) return;
  start(false);
}

/** STOR: 150 then 226; 550/553 when the target is forbidden or invalid; 552 when space runs out. */
export async function handleStor(context: CommandContext, arg: string | undefined): Promise<void> {
  await store(context, 'STOR', arg);
}

/** APPE: like STOR but appends at the end; 554 after a nonzero REST (see {@link refuseRestart}). */
export async function handleAppe(context: CommandContext, arg: string | undefined): Promise<void> {
  await store(context, 'APPE', arg);
}

/** STOU: stores under a new unique name (RFC 1123 section 4.1.2.9: `150 FILE: name`). */
export async function handleStou(context: CommandContext, arg: string | undefined): Promise<void> {
  if (await refuseRestart(context, 'STOU', takeRest(context))) return;
  const base = context.resolvePath(arg ?? 'ftpgrid');
  let path: string | undefined;
  for (let attempt = 0; attempt < STOU_ATTEMPTS && path === undefined; attempt++) {
    const candidate = attempt === 0 && arg !== undefined ? base : `${base}.${randomBytes(4).toString('hex')}`;
    try {
      await context.fs().stat(candidate, { signal: context.signal });
    } catch (error: unknown) {
      if (!isFsError(error, 'not-found')) throw error;
      path = candidate;
    }
  }
  if (path === undefined) {
    await context.reply(ReplyCode.FileActionNotTaken, 'Could not find a unique file name');
    return;
  }
  context.requirePermission('write', path);
  if (!(await requireDataEndpoint(context))) return;
  const fs = context.fs();
  const name = path.slice(path.lastIndexOf('/') + 1);
  const target = path;
  context.startTransfer({
    verb: 'STOU',
    path: target,
    upload: true,
    startText: `FILE: ${name}`,
    doneText: `Transfer complete (unique file name: ${name})`,
    run: (options) => context.data.store(fs, target, { ...options, exclusive: true }),
  });
}

/** ABOR: 426 then 226 when a transfer ran (RFC 959 section 4.1.3); 225 otherwise. */
export async function handleAbor(context: CommandContext): Promise<void> {
  const aborted = await context.abortTransfer();
  if (aborted) await context.reply(ReplyCode.ClosingDataConnection, 'ABOR command successful');
  else await context.reply(ReplyCode.DataConnectionOpen, 'No transfer to abort');
}
