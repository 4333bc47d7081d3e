import { ReplyCode } from '../../parser/index.js';
import { sleep } from '../../transfer/index.js';
import type { CommandContext } from '../command-context.js';
import { resetLogin } from '../initial-state.js';

/** Longest user name accepted (vsftpd's limit). */
const MAX_USER_LENGTH = 128;
/** Longest password accepted; longer ones fail fast without reaching the authorizer. */
const MAX_PASSWORD_LENGTH = 1024;

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * USER: RFC 959 section 4.1.1. 331, or 503 when already logged in. Not `async`: its reply
 * usually leaves at once, and the session then goes on without a promise (every login sends it).
 */
export function handleUser(context: CommandContext, arg: string | undefined): Promise<void> {
  const { state } = context;
  if (state.phase === 'logged-in') return context.reply(ReplyCode.BadSequence, "Already logged in; can't change to another user");
  const name = arg ?? '';
  if (name.length > MAX_USER_LENGTH || hasControlCharacter(name)) return context.reply(ReplyCode.SyntaxErrorInArguments, 'Invalid user name');
  state.userName = name;
  state.phase = 'user-given';
  // Known and unknown users get the same answer until PASS.
  return context.reply(ReplyCode.NeedPassword, `Password required for ${name}`);
}

/** PASS: 230 on success; 530 after a growing delay; 421 and close after too many failures. */
export async function handlePass(context: CommandContext, arg: string | undefined): Promise<void> {
  const { state, options } = context;
  if (state.phase === 'logged-in') {
    await context.reply(ReplyCode.BadSequence, 'Already logged in');
    return;
  }
  if (state.phase !== 'user-given' || state.userName === undefined) {
    await context.reply(ReplyCode.BadSequence, 'Login with USER first');
    return;
  }
  const name = state.userName;
  const password = arg ?? '';
  let user = null;
  if (password.length <= MAX_PASSWORD_LENGTH) {
    try {
      user = await options.authorizer.authenticate(
        name,
        password,
        { address: context.peer.host, port: context.peer.port, secure: state.tls.control },
        // A getter: the session makes its close signal only when something reads it (an
        // AbortController is a large part of an idle session's memory).
        {
          get signal() {
            return context.signal;
          },
        },
      );
    } catch (error: unknown) {
      context.logger.error({ sessionId: context.id, err: error }, 'authorizer failed');
      context.emit('error', { error });
    }
  }
  if (user !== null) {
    state.user = user;
    state.phase = 'logged-in';
    state.cwd = user.home;
    context.logger.info({ sessionId: context.id, user: user.name, remoteAddress: context.peer.host }, 'login');
    context.emit('login', { user: user.name, anonymous: user.anonymous });
    await context.reply(ReplyCode.UserLoggedIn, 'Login successful');
    return;
  }
  state.loginAttempts += 1;
  state.phase = 'connected';
  state.userName = undefined;
  context.logger.warn({ sessionId: context.id, user: name, remoteAddress: context.peer.host, attempts: state.loginAttempts }, 'login failed');
  context.emit('loginFailed', { user: name, attempts: state.loginAttempts });
  // The delay only holds this session's command loop: other sessions go on.
  await sleep(options.clock, options.failedLoginDelayMs * state.loginAttempts, { signal: context.signal }).catch(() => undefined);
  if (context.signal.aborted) return;
  if (state.loginAttempts >= options.maxLoginAttempts) {
    await context.reply(ReplyCode.ServiceNotAvailable, 'Too many failed logins, closing control connection');
    context.close('too many failed logins');
    return;
  }
  await context.reply(ReplyCode.NotLoggedIn, 'Login incorrect');
}

/**
 * ACCT: no accounts here, so 202 (superfluous) once logged in; before login 503, since no
 * PASS ever answers 332 to ask for one (RFC 959 section 5.4 lists 503 for ACCT).
 */
export async function handleAcct(context: CommandContext): Promise<void> {
  if (context.state.phase !== 'logged-in') {
    await context.reply(ReplyCode.BadSequence, 'Login with USER and PASS first; no account is needed');
    return;
  }
  await context.reply(ReplyCode.CommandSuperfluous, 'ACCT not needed');
}

/**
 * REIN: forget the user, keep the connection (RFC 959 section 4.1.1). A running transfer
 * ends and reports first, as RFC 959 asks, then 220.
 */
export async function handleRein(context: CommandContext): Promise<void> {
  const transfer = context.state.transfer;
  if (transfer !== undefined) await transfer.done;
  await context.data.abort();
  resetLogin(context.state);
  await context.reply(ReplyCode.ServiceReady, 'Service ready for new user');
}

/** QUIT: lets a running transfer end and report first (RFC 959 section 4.1.1), then 221. */
export async function handleQuit(context: CommandContext): Promise<void> {
  const transfer = context.state.transfer;
  if (transfer !== undefined) await transfer.done;
  await context.reply(ReplyCode.ServiceClosing, 'Goodbye');
  context.close('client quit');
}
