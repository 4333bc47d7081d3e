import { parseMlstFactSelection, ReplyCode } from '../../parser/index.js';
import type { CommandContext } from '../command-context.js';
import { HASH_NAMES, hashFeatLine, hashName } from './hash-algorithms.js';

/** SYST: 215 (RFC 959). */
export async function handleSyst(context: CommandContext): Promise<void> {
  await context.reply(ReplyCode.SystemType, 'UNIX Type: L8');
}

/** NOOP: 200. Not `async`, so the session goes on at once when the socket took the reply. */
export function handleNoop(context: CommandContext): Promise<void> {
  return context.reply(ReplyCode.CommandOk, 'NOOP ok');
}

/** CLNT: records the client's name; 200. */
export async function handleClnt(context: CommandContext, arg: string | undefined): Promise<void> {
  context.state.clientName = (arg ?? '').slice(0, 128);
  await context.reply(ReplyCode.CommandOk, 'Noted');
}

function mlstFeatLine(supported: readonly string[], selected: readonly string[]): string {
  return `MLST ${supported.map((fact) => (selected.includes(fact) ? `${fact}*;` : `${fact};`)).join('')}`;
}

/** FEAT: 211 multi-line, built from the command table's `feat` entries (RFC 2389). */
export async function handleFeat(context: CommandContext): Promise<void> {
  const { registry, state } = context;
  const lines = new Set<string>();
  for (const verb of registry.verbs()) {
    const spec = registry.spec(verb);
    if (spec?.feat === undefined) continue;
    if (verb === 'MLST' || verb === 'MLSD') lines.add(mlstFeatLine(registry.mlstFacts(), state.mlstFacts));
    else if (verb === 'HASH') lines.add(hashFeatLine(state.hashAlgorithm));
    else lines.add(spec.feat);
  }
  lines.add('UTF8');
  const sorted = [...lines].sort();
  await context.reply(ReplyCode.SystemStatus, ['Features:', ...sorted.map((line) => ` ${line}`), 'End']);
}

/** OPTS: `UTF8 ON` (RFC 2640), `MLST facts` (RFC 3659 section 7.9), `HASH [name]`; else 501. */
export async function handleOpts(context: CommandContext, arg: string | undefined): Promise<void> {
  const match = /^\s*(\S+)(?:\s+(.*))?$/.exec(arg ?? '');
  const option = match?.[1]?.toUpperCase();
  const value = match?.[2]?.trim() ?? '';
  if (option === 'UTF8' || option === 'UTF-8') {
    if (value.toUpperCase() === 'ON' || value === '') await context.reply(ReplyCode.CommandOk, 'Always in UTF8 mode');
    else if (value.toUpperCase() === 'OFF') await context.reply(ReplyCode.ParameterNotImplemented, 'UTF8 cannot be turned off');
    else await context.reply(ReplyCode.SyntaxErrorInArguments, 'OPTS UTF8 ON|OFF');
    return;
  }
  if (option === 'MLST') {
    const facts = parseMlstFactSelection(value, context.registry.mlstFacts());
    context.state.mlstFacts = facts;
    await context.reply(ReplyCode.CommandOk, `MLST OPTS ${facts.map((fact) => `${fact};`).join('')}`);
    return;
  }
  if (option === 'HASH') {
    if (value === '') {
      await context.reply(ReplyCode.CommandOk, hashName(context.state.hashAlgorithm));
      return;
    }
    const algorithm = HASH_NAMES.get(value.toUpperCase());
    if (algorithm === undefined) {
      // draft-bryan-ftpext-hash section 4: an unsupported algorithm is 504.
      await context.reply(ReplyCode.ParameterNotImplemented, 'Unknown algorithm');
      return;
    }
    context.state.hashAlgorithm = algorithm;
    await context.reply(ReplyCode.CommandOk, hashName(algorithm));
    return;
  }
  await context.reply(ReplyCode.SyntaxErrorInArguments, 'Option not understood');
}

/** HELP: 214 with the verbs, or the syntax of one verb; 501 for an unknown verb. */
export async function handleHelp(context: CommandContext, arg: string | undefined): Promise<void> {
  const { registry } = context;
  if (arg !== undefined) {
    const verb = arg.trim().toUpperCase();
    const spec = registry.handler(verb) === undefined ? undefined : registry.spec(verb);
    if (spec === undefined) {
      await context.reply(ReplyCode.SyntaxErrorInArguments, 'Unknown command');
      return;
    }
    await context.reply(ReplyCode.HelpMessage, spec.help);
    return;
  }
  const verbs = registry.verbs();
  const rows: string[] = [];
  for (let index = 0; index < verbs.length; index += 8) rows.push(` ${verbs.slice(index, index + 8).map((verb) => verb.padEnd(5)).join(' ')}`);
  await context.reply(ReplyCode.HelpMessage, ['The following commands are recognized:', ...rows, 'Help OK']);
}
