import type { ParsedCommand } from '../parser/index.js';
import type { CommandContext } from './command-context.js';

/**
 * Runs around every command line, before the dispatcher's checks (like MINA's Ftplets).
 * Call `next()` to go on, `next(rewritten)` to go on with another command, or reply with
 * `context.reply(...)` and return without calling `next` to veto.
 *
 * @example
 * ```ts
 * const noDelete: CommandMiddleware = async (ctx, command, next) => {
 *   if (command.verb === 'DELE') return ctx.reply(550, 'Deleting is disabled here');
 *   return next();
 * };
 * ```
 */
export type CommandMiddleware = (
  context: CommandContext,
  command: ParsedCommand,
  next: (command?: ParsedCommand) => Promise<void>,
) => Promise<void>;

/** Composes middleware around a final dispatcher, outermost first. */
export function composeMiddleware(
  middleware: readonly CommandMiddleware[],
  context: CommandContext,
  final: (command: ParsedCommand) => Promise<void>,
): (command: ParsedCommand) => Promise<void> {
  const run = (index: number, command: ParsedCommand): Promise<void> => {
    const current = middleware[index];
    if (current === undefined) return final(command);
    let called = false;
    return current(context, command, (next) => {
      // Calling next twice would run a command twice; the second call is ignored.
      if (called) return Promise.resolve();
      called = true;
      return run(index + 1, next ?? command);
    });
  };
  return (command) => run(0, command);
}
