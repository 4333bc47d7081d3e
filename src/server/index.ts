/**
 * The standalone assembly: `createServer` wires sessions, a FileSystem-backed authorizer
 * and a data plane into an embeddable FTP server.
 *
 * @packageDocumentation
 */
export { createServer } from './ftp-server.js';
export type { FtpServer, FtpServerEvents, ServerAddress } from './ftp-server.js';
export { InvalidServerOptionError } from './server-options.js';
export type { CloseOptions, FtpServerOptions, ListenOptions, TlsServerOptions } from './server-options.js';
