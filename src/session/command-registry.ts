import { COMMAND_TABLE, SUPPORTED_MLST_FACTS, type CommandSpec } from '../parser/index.js';
import type { CommandHandler } from './command-context.js';

/** A SITE subcommand: handler plus its HELP line. */
export interface SiteCommand {
  readonly name: string;
  readonly help: string;
  /** Requires a logged-in user. @default true */
  readonly needsLogin: boolean;
  readonly handler: CommandHandler;
}

/** Options of {@link CommandRegistry.register} for verbs the parser's table does not know. */
export type CustomCommandSpec = Partial<Omit<CommandSpec, 'verb'>>;

/**
 * The verbs a session understands: handlers keyed by verb, plus SITE subcommands. Specs
 * (argument rules, login, permission, HELP, FEAT) come from the parser's `COMMAND_TABLE`;
 * custom verbs bring their own.
 *
 * @example
 * ```ts
 * const registry = createDefaultRegistry();
 * registry.registerSite('PING', async (ctx) => { await ctx.reply(200, 'PONG'); }, 'SITE PING');
 * registry.register('NOOP', async (ctx) => { await ctx.reply(200, 'Still here'); });
 * ```
 */
export class CommandRegistry {
  readonly #handlers = new Map<string, CommandHandler>();
  readonly #specs = new Map<string, CommandSpec>();
  readonly #site = new Map<string, SiteCommand>();
  #mlstFacts: readonly string[] = SUPPORTED_MLST_FACTS;

  /**
   * Adds or replaces the handler of `verb`. For a verb absent from the command table, `spec`
   * describes it (@default argument optional, login needed, not allowed during a transfer).
   */
  register(verb: string, handler: CommandHandler, spec: CustomCommandSpec = {}): this {
    const key = verb.toUpperCase();
    if (!/^[A-Z][A-Z0-9]{0,15}$/.test(key)) throw new RangeError(`invalid FTP verb: ${JSON.stringify(verb)}`);
    const base = COMMAND_TABLE.get(key);
    this.#specs.set(key, {
      verb: key,
      arg: 'optional',
      needsLogin: true,
      allowedDuringTransfer: false,
      opensDataConnection: false,
      help: `Syntax: ${key}`,
      ...base,
      ...spec,
    });
    this.#handlers.set(key, handler);
    return this;
  }

  /** Adds or replaces a SITE subcommand (`SITE NAME args`). */
  registerSite(name: string, handler: CommandHandler, help?: string, options: { needsLogin?: boolean } = {}): this {
    const key = name.toUpperCase();
    if (!/^[A-Z][A-Z0-9_-]{0,31}$/.test(key)) throw new RangeError(`invalid SITE command name: ${JSON.stringify(name)}`);
    this.#site.set(key, { name: key, help: help ?? `SITE ${key}`, needsLogin: options.needsLogin ?? true, handler });
    return this;
  }

  /** Removes a verb (it then answers 502 if the table knows it, 500 otherwise). */
  unregister(verb: string): this {
    this.#handlers.delete(verb.toUpperCase());
    return this;
  }

  /** The handler of `verb`, if registered. */
  handler(verb: string): CommandHandler | undefined {
    return this.#handlers.get(verb);
  }

  /** The spec of `verb`: the registered one, else the command table's. */
  spec(verb: string): CommandSpec | undefined {
    return this.#specs.get(verb) ?? COMMAND_TABLE.get(verb);
  }

  /** The SITE subcommand `name`, if registered. */
  site(name: string): SiteCommand | undefined {
    return this.#site.get(name.toUpperCase());
  }

  /** Registered verbs, sorted. */
  verbs(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  /** Registered SITE subcommands, sorted by name. */
  siteCommands(): SiteCommand[] {
    return [...this.#site.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Adds vendor MLSx facts (RFC 3659 7.5: names with a `.`, such as `x.slaves`) that the
   * FileSystem fills through `FileStat.extraFacts`: FEAT lists them and `OPTS MLST` can select
   * them. Lower-cased; duplicates ignored. Throws `RangeError` for a malformed name.
   */
  addMlstFacts(facts: readonly string[]): this {
    const next = [...this.#mlstFacts];
    for (const raw of facts) {
      const fact = raw.toLowerCase();
      if (!/^[a-z0-9]+\.[a-z0-9.-]{1,63}$/.test(fact)) throw new RangeError(`invalid vendor MLST fact: ${JSON.stringify(raw)}`);
      if (!next.includes(fact)) next.push(fact);
    }
    this.#mlstFacts = next;
    return this;
  }

  /** The MLSx facts sessions offer: the standard ones, then those of {@link CommandRegistry.addMlstFacts}. */
  mlstFacts(): readonly string[] {
    return this.#mlstFacts;
  }

  /** A copy that can be changed without touching this registry. */
  clone(): CommandRegistry {
    const copy = new CommandRegistry();
    for (const [verb, handler] of this.#handlers) {
      copy.#handlers.set(verb, handler);
      const spec = this.#specs.get(verb);
      if (spec !== undefined) copy.#specs.set(verb, spec);
    }
    for (const [name, site] of this.#site) copy.#site.set(name, site);
    copy.#mlstFacts = this.#mlstFacts;
    return copy;
  }
}
