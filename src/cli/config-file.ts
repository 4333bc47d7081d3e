import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError } from './cli-error.js';

/** A config file's values by known key (still unchecked), plus the folder relative paths start from. */
export type ConfigValues<K extends string> = Partial<Record<K, unknown>> & { readonly baseDir: string };

function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

/** The `code` of a Node error, or its text. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return String(error);
}

/**
 * Reads a JSON object whose keys are a command's long options in camelCase (kebab-case and
 * the given aliases accepted too). An unknown key is an error that lists the known ones.
 */
export async function readConfigObject<K extends string>(path: string, keys: readonly K[], aliases: Readonly<Record<string, K>> = {}): Promise<ConfigValues<K>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError('config-unreadable', `--config ${path}: cannot read the file (${errorCode(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError('config-invalid', `--config ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError('config-invalid', `--config ${path}: expected a JSON object`);
  }
  const values: Partial<Record<K, unknown>> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const camel = camelCase(key);
    const known = aliases[camel] ?? keys.find((candidate) => candidate === camel);
    if (known === undefined) {
      throw new CliError('config-invalid', `--config ${path}: unknown key ${JSON.stringify(key)} (known: ${keys.join(', ')})`);
    }
    values[known] = value;
  }
  return { ...values, baseDir: dirname(resolve(path)) };
}

/** A config value that must be a string. */
export function expectString(value: unknown, key: string): string {
  if (typeof value !== 'string') throw new CliError('config-invalid', `config ${key}: expected a string`);
  return value;
}

/** A config value that must be a boolean. */
export function expectBoolean(value: unknown, key: string): boolean {
  if (typeof value !== 'boolean') throw new CliError('config-invalid', `config ${key}: expected true or false`);
  return value;
}

/** The command-line value when given, else the config file's string value. */
export function stringOption(cli: string | undefined, file: unknown, key: string): string | undefined {
  return cli ?? (file === undefined ? undefined : expectString(file, key));
}
