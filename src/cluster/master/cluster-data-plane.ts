import { LocalDataPlane, type DataPlane, type DataSessionInfo, type LocalDataPlaneOptions, type SessionDataChannel } from '../../transfer/index.js';
import type { ClusterFileSystem } from './cluster-file-system.js';
import { ClusterSessionChannel } from './cluster-session-channel.js';

/** Options of {@link ClusterDataPlane}. */
export interface ClusterDataPlaneOptions {
  /** The cluster's filesystem: paths located in it move between clients and slaves. */
  readonly fs: ClusterFileSystem;
  /** The master's own data connections (listings, relays, paths on other filesystems). @default LocalDataPlane's defaults */
  readonly local?: LocalDataPlaneOptions | undefined;
}

/**
 * The master's {@link DataPlane}. For a file of the cluster: after PRET, PASV/EPSV answer
 * with the chosen slave's address and the slave moves the bytes (the master relays none);
 * in active mode (PORT/EPRT) the slave connects out to the client when RETR/STOR names the
 * file; passive without PRET relays through the master. Listings stay on the master.
 */
export class ClusterDataPlane implements DataPlane {
  readonly #fs: ClusterFileSystem;
  readonly #local: LocalDataPlane;

  constructor(options: ClusterDataPlaneOptions) {
    this.#fs = options.fs;
    this.#local = new LocalDataPlane(options.local);
  }

  attach(session: DataSessionInfo): SessionDataChannel {
    return new ClusterSessionChannel(session, this.#local.attach(session), this.#fs);
  }

  close(): Promise<void> {
    return this.#local.close();
  }
}
