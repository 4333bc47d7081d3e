import { CommandRegistry } from './command-registry.js';
import { handleAcct, handlePass, handleQuit, handleRein, handleUser } from './handlers/auth.js';
import { handleEprt, handleEpsv, handlePasv, handlePort, handlePret } from './handlers/data-setup.js';
import { handleCdup, handleCwd, handleMkd, handlePwd, handleRmd } from './handlers/dirs.js';
import { handleMdtm, handleMfmt, handleSize } from './handlers/file-info.js';
import { handleDele, handleRnfr, handleRnto } from './handlers/files.js';
import { checksumHandler, handleHash } from './handlers/hash.js';
import { handleClnt, handleFeat, handleHelp, handleNoop, handleOpts, handleSyst } from './handlers/info.js';
import { handleList, handleMlsd, handleMlst, handleNlst } from './handlers/listing.js';
import { handleAllo, handleMode, handleStru, handleType } from './handlers/params.js';
import { handleSite, handleSiteChmod, handleSiteHelp } from './handlers/site.js';
import { handleStat } from './handlers/status.js';
import { handleAbor, handleAppe, handleRest, handleRetr, handleStor, handleStou } from './handlers/transfer.js';
import type { CommandHandler } from './command-context.js';

const DEFAULT_HANDLERS: Readonly<Record<string, CommandHandler>> = {
  USER: handleUser,
  PASS: handlePass,
  ACCT: handleAcct,
  REIN: handleRein,
  QUIT: handleQuit,
  CWD: handleCwd,
  XCWD: handleCwd,
  CDUP: handleCdup,
  XCUP: handleCdup,
  PWD: handlePwd,
  XPWD: handlePwd,
  MKD: handleMkd,
  XMKD: handleMkd,
  RMD: handleRmd,
  XRMD: handleRmd,
  TYPE: handleType,
  MODE: handleMode,
  STRU: handleStru,
  ALLO: handleAllo,
  PASV: handlePasv,
  EPSV: handleEpsv,
  PORT: handlePort,
  EPRT: handleEprt,
  PRET: handlePret,
  RETR: handleRetr,
  STOR: handleStor,
  STOU: handleStou,
  APPE: handleAppe,
  REST: handleRest,
  ABOR: handleAbor,
  LIST: handleList,
  NLST: handleNlst,
  MLSD: handleMlsd,
  MLST: handleMlst,
  STAT: handleStat,
  SIZE: handleSize,
  MDTM: handleMdtm,
  MFMT: handleMfmt,
  DELE: handleDele,
  RNFR: handleRnfr,
  RNTO: handleRnto,
  SYST: handleSyst,
  FEAT: handleFeat,
  OPTS: handleOpts,
  HELP: handleHelp,
  NOOP: handleNoop,
  CLNT: handleClnt,
  SITE: handleSite,
  HASH: handleHash,
  XCRC: checksumHandler('crc32'),
  XMD5: checksumHandler('md5'),
  XSHA1: checksumHandler('sha1'),
  XSHA256: checksumHandler('sha256'),
};

/**
 * A registry with every built-in command and the SITE HELP and SITE CHMOD subcommands.
 * AUTH, PBSZ, PROT and CCC are left out (502) until FTPS handlers are registered.
 *
 * @example
 * ```ts
 * const registry = createDefaultRegistry();
 * registry.registerSite('WHO', (ctx) => ctx.reply(200, ctx.user().name), 'SITE WHO');
 * ```
 */
export function createDefaultRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  for (const [verb, handler] of Object.entries(DEFAULT_HANDLERS)) registry.register(verb, handler);
  registry.registerSite('HELP', handleSiteHelp, 'SITE HELP', { needsLogin: false });
  registry.registerSite('CHMOD', handleSiteChmod, 'SITE CHMOD <octal mode> <path>');
  return registry;
}
