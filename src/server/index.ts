/**
 * The standalone assembly: `createServer` wires sessions, a FileSystem-backed authorizer
 * and a data plane into an embeddable FTP server.
 *
 * @packageDocumentation
 */
export { createServer } from './ftp-server.js';
export type { BanReason, FtpServer, FtpServerEventName, FtpServerEvents, ServerAddress } from './ftp-server.js';
export { DEFAULT_PORT, InvalidServerOptionError, SERVER_DEFAULTS } from './server-options.js';
export { LoginBan } from './login-ban.js';
export type {
  AuthenticateHook,
  CloseOptions,
  DataPlaneSettings,
  InvalidServerOptionCode,
  CommandRateOptions,
  ConnectionRateOptions,
  FtpServerOptions,
  ListenOptions,
  LoginBanOptions,
  TlsServerOptions,
} from './server-options.js';
export { CertificateStore } from './tls/certificate-store.js';
export type { CertificateFiles, PemMaterial, SecureContextSettings, TlsMinVersion } from './tls/certificate-store.js';
export { generateSelfSignedCertificate } from './tls/self-signed.js';
export type { GeneratedCertificate, SelfSignedOptions } from './tls/self-signed.js';
export { TlsConfigError } from './tls/tls-config-error.js';
export type { TlsConfigErrorCode } from './tls/tls-config-error.js';
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, resolveTlsPolicy } from './tls/tls-server-options.js';
export type { ImplicitTlsListen, ResolvedTlsPolicy, TlsRequirement } from './tls/tls-server-options.js';
export { tlsOptionsFromFlags } from './tls/tls-flags.js';
export type { TlsFlags } from './tls/tls-flags.js';
