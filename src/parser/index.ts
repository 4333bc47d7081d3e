/**
 * The pure FTP protocol layer: control-channel decoder, command table, reply formatter,
 * address codecs and listing formats. No I/O.
 *
 * @packageDocumentation
 */
export {};
