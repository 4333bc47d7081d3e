import { formatEpsvPort, formatPasvAddress, parseEprtArgument, parsePortArgument, ReplyCode } from '../../parser/index.js';
import type { TransferIntent } from '../../transfer/index.js';
import type { CommandContext } from '../command-context.js';

const PRET_VERBS = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

function takeIntent(context: CommandContext): { intent?: TransferIntent } {
  const intent = context.state.pretIntent;
  context.state.pretIntent = undefined;
  return intent === undefined ? {} : { intent: { ...intent, fs: context.fs() } };
}

/** PASV: 227 with h1,h2,h3,h4,p1,p2 (RFC 959); 503 after EPSV ALL; 425 when no IPv4 address can be given. */
export async function handlePasv(context: CommandContext): Promise<void> {
  if (context.state.epsvAll) {
    await context.reply(ReplyCode.BadSequence, 'PASV not allowed after EPSV ALL');
    return;
  }
  const endpoint = await context.data.passive({ extended: false, signal: context.signal, ...takeIntent(context) });
  let text: string;
  try {
    text = formatPasvAddress(endpoint);
  } catch {
    await context.data.abort();
    await context.reply(ReplyCode.CannotOpenDataConnection, "Can't announce an IPv6 address with PASV; use EPSV");
    return;
  }
  await context.reply(ReplyCode.EnteringPassiveMode, `Entering Passive Mode (${text})`);
}

/**
 * EPSV: 229 `(|||port|)` (RFC 2428); `EPSV ALL` -> 200; a protocol other than the control
 * connection's (the only one the listener can use, since 229 carries no address) -> 522
 * naming the one supported, e.g. `(1)`.
 */
export async function handleEpsv(context: CommandContext, arg: string | undefined): Promise<void> {
  const value = (arg ?? '').trim().toUpperCase();
  if (value === 'ALL') {
    context.state.epsvAll = true;
    await context.reply(ReplyCode.CommandOk, 'EPSV ALL ok');
    return;
  }
  if (value !== '' && !/^\d+$/.test(value)) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error in EPSV argument');
    return;
  }
  const family = context.local.host.includes(':') ? '2' : '1';
  if (value !== '' && value !== family) {
    await context.reply(ReplyCode.NetworkProtocolNotSupported, `Network protocol not supported, use (${family})`);
    return;
  }
  const endpoint = await context.data.passive({ extended: true, signal: context.signal, ...takeIntent(context) });
  await context.reply(ReplyCode.EnteringExtendedPassiveMode, `Entering Extended Passive Mode ${formatEpsvPort(endpoint.port)}`);
}

/** PORT: 200; 501 when malformed; 504 when refused (another host, low port); 503 after EPSV ALL. */
export async function handlePort(context: CommandContext, arg: string | undefined): Promise<void> {
  if (context.state.epsvAll) {
    await context.reply(ReplyCode.BadSequence, 'PORT not allowed after EPSV ALL');
    return;
  }
  const target = parsePortArgument((arg ?? '').trim());
  await setActive(context, target, 'PORT');
}

/** EPRT: 200; 501 when malformed; 522 for an unknown protocol; 504 when refused (RFC 2428). */
export async function handleEprt(context: CommandContext, arg: string | undefined): Promise<void> {
  if (context.state.epsvAll) {
    await context.reply(ReplyCode.BadSequence, 'EPRT not allowed after EPSV ALL');
    return;
  }
  const value = (arg ?? '').trim();
  const protocol = /^(.)(\d+)\1/.exec(value);
  if (protocol !== null && protocol[2] !== '1' && protocol[2] !== '2') {
    await context.reply(ReplyCode.NetworkProtocolNotSupported, 'Network protocol not supported, use (1,2)');
    return;
  }
  const target = parseEprtArgument(value);
  await setActive(context, target, 'EPRT');
}

async function setActive(context: CommandContext, target: { host: string; port: number }, verb: string): Promise<void> {
  // A PRET intent belongs to the next PASV/EPSV only: active mode drops it, so no later PASV reuses a stale one.
  context.state.pretIntent = undefined;
  try {
    await context.data.active(target, { signal: context.signal });
  } catch (error: unknown) {
    context.logger.warn({ sessionId: context.id, verb, target, err: error }, 'active data connection refused');
    await context.reply(ReplyCode.ParameterNotImplemented, `${verb} refused: only ports >= 1024 of the client's own address are allowed`);
    return;
  }
  await context.reply(ReplyCode.CommandOk, `${verb} command successful`);
}

/** PRET (DrFTPD): records the next transfer's intent for PASV/EPSV; 200; 501 without a verb; 550 (as DrFTPD) when the verb opens no data connection. */
export async function handlePret(context: CommandContext, arg: string | undefined): Promise<void> {
  const match = /^(\S+)(?:\s(.*))?$/.exec((arg ?? '').trimStart());
  const verb = match?.[1]?.toUpperCase();
  if (match === null || verb === undefined) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: PRET <verb> [path]');
    return;
  }
  if (!PRET_VERBS.has(verb)) {
    await context.reply(ReplyCode.FileUnavailable, `PRET ${verb}: not a data transfer command`);
    return;
  }
  const rawPath = match[2];
  const path = rawPath === undefined || rawPath === '' ? undefined : context.resolvePath(rawPath);
  context.state.pretIntent = { verb, path };
  await context.reply(ReplyCode.CommandOk, 'OK, will use this intent for the next PASV/EPSV');
}
