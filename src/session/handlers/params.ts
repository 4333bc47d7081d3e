import { ReplyCode } from '../../parser/index.js';
import type { CommandContext } from '../command-context.js';

/**
 * TYPE: `A` (optionally `A N`) and `I` / `L 8` -> 200; other known types (`E`, `A T`, `A C`,
 * `L n` with n != 8) -> 504; anything else -> 501 (RFC 959 section 4.1.2).
 */
export function handleType(context: CommandContext, arg: string | undefined): Promise<void> {
  const value = (arg ?? '').trim().toUpperCase().replace(/\s+/g, ' ');
  if (value === 'A' || value === 'A N') {
    context.state.type = 'ascii';
    return context.reply(ReplyCode.CommandOk, 'Type set to A');
  }
  if (value === 'I' || value === 'L 8' || value === 'L8') {
    context.state.type = 'binary';
    return context.reply(ReplyCode.CommandOk, 'Type set to I');
  }
  if (/^(E( [NTC])?|A [TC]|L \d+)$/.test(value)) return context.reply(ReplyCode.ParameterNotImplemented, `Type ${value} not implemented`);
  return context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: unknown TYPE');
}

/** MODE: only S (stream); B and C -> 504; anything else -> 501. */
export async function handleMode(context: CommandContext, arg: string | undefined): Promise<void> {
  const value = (arg ?? '').trim().toUpperCase();
  if (value === 'S') await context.reply(ReplyCode.CommandOk, 'Mode set to S');
  else if (value === 'B' || value === 'C') await context.reply(ReplyCode.ParameterNotImplemented, `Mode ${value} not implemented`);
  else await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: unknown MODE');
}

/** STRU: only F (file); R and P -> 504; anything else -> 501. */
export async function handleStru(context: CommandContext, arg: string | undefined): Promise<void> {
  const value = (arg ?? '').trim().toUpperCase();
  if (value === 'F') await context.reply(ReplyCode.CommandOk, 'Structure set to F');
  else if (value === 'R' || value === 'P') await context.reply(ReplyCode.ParameterNotImplemented, `Structure ${value} not implemented`);
  else await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: unknown STRU');
}

/** ALLO: storage needs no reservation here (RFC 959: 202). Malformed sizes -> 501. */
export async function handleAllo(context: CommandContext, arg: string | undefined): Promise<void> {
  if (arg !== undefined && !/^\s*\d+(\s+R\s+\d+)?\s*$/i.test(arg)) {
    await context.reply(ReplyCode.SyntaxErrorInArguments, 'Syntax error: ALLO <size> [R <record-size>]');
    return;
  }
  await context.reply(ReplyCode.CommandSuperfluous, 'No storage allocation necessary');
}
