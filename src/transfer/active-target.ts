import { DataConnectionError } from './data-connection-error.js';
import type { Endpoint } from './data-plane.js';
import { canonicalIp, sameIp } from './ip-address.js';

/** The bounce rules of PORT/EPRT (RFC 2577). */
export interface ActiveTargetRules {
  /** Allow targets other than the control peer (FXP). @default false */
  readonly allowForeignHosts?: boolean | undefined;
  /** Allow target ports below 1024. @default false */
  readonly allowLowPorts?: boolean | undefined;
}

/**
 * Checks a PORT/EPRT target against the bounce rules and returns it with its host in
 * canonical form. Throws {@link DataConnectionError} with reason `bad-port`, `low-port` or
 * `foreign-host`; port 0 and non-IP hosts are refused whatever the rules.
 *
 * @example
 * ```ts
 * checkActiveTarget({ host: '::ffff:10.0.0.2', port: 5000 }, '10.0.0.2'); // { host: '10.0.0.2', port: 5000 }
 * ```
 */
export function checkActiveTarget(target: Endpoint, controlPeer: string, rules: ActiveTargetRules = {}): Endpoint {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new DataConnectionError('bad-port', `Invalid data port ${target.port}`);
  }
  const host = canonicalIp(target.host);
  if (host === null) throw new DataConnectionError('foreign-host', 'The data address is not an IP address');
  if (target.port < 1024 && rules.allowLowPorts !== true) {
    throw new DataConnectionError('low-port', `Refusing data connection to privileged port ${target.port}`);
  }
  if (rules.allowForeignHosts !== true && !sameIp(host, controlPeer)) {
    throw new DataConnectionError('foreign-host', 'Refusing data connection to a host other than the client');
  }
  return { host, port: target.port };
}
