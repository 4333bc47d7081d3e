/**
 * ftpgrid: composable FTP and distributed-file-system building blocks.
 *
 * The root entry re-exports the assemblies; each module has its own subpath
 * (`ftpgrid/parser`, `ftpgrid/vfs`, `ftpgrid/transfer`, `ftpgrid/session`, `ftpgrid/cluster`,
 * `ftpgrid/metrics`, `ftpgrid/testing`).
 *
 * @packageDocumentation
 */
export { createServer, DEFAULT_PORT, InvalidServerOptionError, SERVER_DEFAULTS } from './server/index.js';
export { createUserContext } from './vfs/index.js';
export type { PermissionSpec, UserContext, UserContextOptions } from './vfs/index.js';
export { createMaster } from './master/index.js';
export type { FtpMaster, MasterListenOptions, MasterOptions, MasterUser } from './master/index.js';
export type { MetricsOptions } from './metrics/index.js';
export type {
  AuthenticateHook,
  BanReason,
  CloseOptions,
  DataPlaneSettings,
  FtpServerEventName,
  InvalidServerOptionCode,
  CommandRateOptions,
  ConnectionRateOptions,
  FtpServer,
  FtpServerEvents,
  FtpServerOptions,
  ListenOptions,
  LoginBanOptions,
  ServerAddress,
  TlsServerOptions,
} from './server/index.js';
export { CommandRegistry, createDefaultRegistry } from './session/index.js';
export type { CommandContext, CommandHandler, CommandMiddleware, Logger, SessionEvents } from './session/index.js';
export { CertificateStore, generateSelfSignedCertificate, TlsConfigError } from './server/index.js';
export type {
  CertificateFiles,
  GeneratedCertificate,
  ImplicitTlsListen,
  PemMaterial,
  SecureContextSettings,
  SelfSignedOptions,
  TlsConfigErrorCode,
  TlsMinVersion,
  TlsRequirement,
} from './server/index.js';
