import type { ReplicationOptions } from '../cluster/index.js';
import { CliError } from './cli-error.js';
import { expectBoolean } from './config-file.js';

/** Keys of the config file's `replication` object: those of `ReplicationOptions`. */
export const REPLICATION_CONFIG_KEYS = [
  'copies', 'policies', 'groups', 'concurrency', 'retryBaseMs', 'retryMaxMs', 'offlineGraceMs', 'scanIntervalMs', 'scrubIntervalMs', 'scrubBatch',
  'reservedBytes', 'maxQueued', 'recentActions',
] as const;

/** The master's replication settings from the CLI and its config file. */
export interface MasterReplicationConfig {
  readonly replication: ReplicationOptions;
  readonly verifyReads: boolean;
}

function parseCopies(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 64) throw new CliError('invalid-option', `--replicas: a whole number from 1 to 64, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * `--replicas N` and `--verify-reads` over the config file's `replicas`, `verifyReads` and
 * `replication` (an object with the keys of `ReplicationOptions`: policies, groups, grace
 * periods, ...). The values themselves are checked by the master (`RangeError` -> exit 2).
 */
export function resolveReplicationConfig(
  raw: { readonly replicas?: string | undefined; readonly verifyReads?: boolean | undefined },
  file: Readonly<Record<string, unknown>> | undefined,
): MasterReplicationConfig {
  const block = file?.replication;
  if (block !== undefined && (typeof block !== 'object' || block === null || Array.isArray(block))) {
    throw new CliError('config-invalid', 'config replication: expected an object');
  }
  const object = (block ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(object).filter((key) => !(REPLICATION_CONFIG_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new CliError('config-invalid', `config replication: unknown key ${unknown.join(', ')} (known: ${REPLICATION_CONFIG_KEYS.join(', ')})`);
  const fileCopies = file?.replicas;
  const copiesText = raw.replicas ?? (typeof fileCopies === 'number' || typeof fileCopies === 'string' ? String(fileCopies) : undefined);
  if (raw.replicas === undefined && fileCopies !== undefined && copiesText === undefined) throw new CliError('config-invalid', 'config replicas: expected a number');
  const copies = copiesText === undefined ? undefined : parseCopies(copiesText);
  const verifyReads = raw.verifyReads ?? (file?.verifyReads === undefined ? false : expectBoolean(file.verifyReads, 'verifyReads'));
  return { replication: { ...(object as ReplicationOptions), ...(copies === undefined ? {} : { copies }) }, verifyReads };
}
