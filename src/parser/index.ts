/**
 * The pure FTP protocol layer: control-channel decoder, command table, reply formatter,
 * address codecs and listing formats. No I/O.
 *
 * @packageDocumentation
 */
export { ControlDecoder } from './control-decoder.js';
export type { ControlDecoderOptions, ControlEncoding, DecodeError, DecodeErrorCode, DecodedItem, DecodedLine } from './control-decoder.js';
export { parseCommandLine } from './command-line.js';
export { detectForeignLine, detectForeignPrefix } from './foreign-protocol.js';
export type { ForeignProtocol } from './foreign-protocol.js';
export type { ParsedCommand } from './command-line.js';
export { parseMfmtArgument, parseRestArgument, parseTypeArgument } from './command-arguments.js';
export type { MfmtArgument } from './command-arguments.js';
export type { ArgumentRule, CommandPermission, CommandSpec } from './command-spec.js';
export { COMMAND_TABLE, featureLines, helpVerbLines, lookupCommand } from './command-table.js';
export type { FeatureLinesOptions } from './command-table.js';
export { ReplyCode } from './reply-code.js';
export type { ReplyCodeValue } from './reply-code.js';
export { formatReply, parseQuotedPathname, quotePathname } from './format-reply.js';
export { ReplyReader } from './reply-reader.js';
export type { Reply, ReplyReaderOptions } from './reply-reader.js';
export { ParseError } from './parse-error.js';
export type { ParseErrorCode } from './parse-error.js';
export { ipFamily, normalizeIp } from './ip-address.js';
export { formatPasvAddress, parsePasvReply, parsePortArgument } from './port-address.js';
export type { HostPort } from './port-address.js';
export { formatEprtArgument, formatEpsvPort, parseEprtArgument, parseEpsvArgument, parseEpsvReply } from './extended-address.js';
export type { EprtTarget } from './extended-address.js';
export { escapeLineBreaks, isSafeListingName } from './listing-entry.js';
export type { ListingEntry } from './listing-entry.js';
export { formatListLine, formatNlstLine } from './list-format.js';
export {
  DEFAULT_MLST_FACTS,
  SUPPORTED_MLST_FACTS,
  formatMlstFeat,
  formatMlsxEntry,
  parseMlstFactSelection,
  parseMlsxEntry,
} from './mlsx-facts.js';
export type { MlsxEntryOptions, ParsedMlsxEntry } from './mlsx-facts.js';
export { formatMlsxTime, parseMlsxTime } from './mlsx-time.js';
