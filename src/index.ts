/**
 * ftpgrid: composable FTP and distributed-file-system building blocks.
 *
 * The root entry re-exports the assemblies; each module has its own subpath
 * (`ftpgrid/parser`, `ftpgrid/vfs`, `ftpgrid/transfer`, `ftpgrid/session`, `ftpgrid/cluster`,
 * `ftpgrid/testing`).
 *
 * @packageDocumentation
 */
export {};
