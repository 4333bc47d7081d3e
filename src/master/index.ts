/**
 * The master assembly: the standalone server's FTP front end on top of the cluster
 * (`createMaster`). It lives apart from `server` and `cluster` so neither imports the other.
 *
 * @packageDocumentation
 */
export { createMaster } from './create-master.js';
export type { FtpMaster, MasterListenOptions, MasterOptions, MasterUser } from './create-master.js';
