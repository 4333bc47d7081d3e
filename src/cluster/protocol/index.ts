export { ProtocolError, isProtocolError, type ProtocolErrorCode, type ProtocolErrorOptions } from './protocol-error.js';
export { FrameDecoder, encodeFrame, FRAME_HEADER_BYTES } from './frame-decoder.js';
export { encodeMessage, decodeMessage } from './codec.js';
export { PROTOCOL_VERSIONS, MIN_SECRET_BYTES, HANDSHAKE_MAX_FRAME_BYTES, checkSecret, nodeNameSchema, type HandshakeResult } from './handshake.js';
export {
  SLAVE_OPERATIONS, MASTER_OPERATIONS, SLAVE_EVENTS, MASTER_EVENTS, MAX_PATH_LENGTH, MAX_COMMIT_BATCH,
  type OperationTable, type EventTable, type OpArgs, type OpResult, type EventData,
  type SlaveOperations, type MasterOperations, type SlaveEvents, type MasterEvents, type TransferOutcome, type SlaveListEntry,
} from './operations.js';
export { DirDigest } from './dir-digest.js';
export {
  remergeColumnsProblem, remergeColumnsSchema, isWirePath, MAX_COLUMN_ENTRIES, MAX_BATCH_DIRS, type DirColumns, type RemergeColumns,
} from './remerge-columns.js';
export { PeerConnection, type PeerConnectionOptions, type RequestOptions, type OperationHandlers, type EventHandlers } from './peer-connection.js';
export {
  createClusterListener, dialMaster,
  type ClusterListener, type ClusterListenerOptions, type DialOptions, type LinkOptions, type SlaveLink, type MasterLink,
} from './endpoints.js';
export {
  signTicket, openTicket, checkClaims, verifyTicket, VerifiedTickets, deriveTicketKey, ticketSchema, TicketError, MAX_TICKET_BODY_BYTES,
  type Ticket, type TicketClaims, type TicketOperation, type TicketExpectation, type TicketErrorCode,
} from './ticket.js';
export {
  CLIENT_MASTER_OPERATIONS, CLIENT_SLAVE_OPERATIONS, CLIENT_EVENTS, MAX_CLIENT_CHUNK_BYTES, MAX_META_KEY_LENGTH, MAX_META_VALUE_LENGTH, MAX_META_ENTRIES, MAX_PLACEMENT_BATCH, MAX_PUT_BATCH, MAX_PUT_BATCH_BYTES,
  type ClientMasterOperations, type ClientSlaveOperations, type ClientPlacement, type ClientEntry, type ClientEvents, type ClientPlaceWriteArgs, type ClientPlacementOutcome, type ClientPutArgs, type ClientGrants, type ClientWritten, type ClientPutOutcome,
} from './client-operations.js';
export {
  dialMasterAsClient, dialSlaveAsClient, acceptSlaveClient, DEFAULT_CLIENT_MAX_FRAME_BYTES,
  type ClientMasterLink, type MasterClientLink, type ClientSlaveLink, type SlaveClientLink, type ClientLinkOptions, type ClientDialOptions,
} from './client-endpoints.js';
export { clientLoginSchema, type ClientLogin } from './handshake.js';
export { RequestBatcher, settleItem, type RequestBatcherOptions, type BatchOutcome } from './request-batcher.js';
