export { ProtocolError, isProtocolError, type ProtocolErrorCode, type ProtocolErrorOptions } from './protocol-error.js';
export { FrameDecoder, encodeFrame, FRAME_HEADER_BYTES } from './frame-decoder.js';
export { encodeMessage, decodeMessage } from './codec.js';
export { PROTOCOL_VERSIONS, MIN_SECRET_BYTES, HANDSHAKE_MAX_FRAME_BYTES, checkSecret, nodeNameSchema, type HandshakeResult } from './handshake.js';
export {
  SLAVE_OPERATIONS, MASTER_OPERATIONS, SLAVE_EVENTS, MASTER_EVENTS, MAX_PATH_LENGTH,
  type OperationTable, type EventTable, type OpArgs, type OpResult, type EventData,
  type SlaveOperations, type MasterOperations, type SlaveEvents, type MasterEvents, type TransferOutcome, type SlaveListEntry,
} from './operations.js';
export { PeerConnection, type PeerConnectionOptions, type RequestOptions, type OperationHandlers, type EventHandlers } from './peer-connection.js';
export {
  createClusterListener, dialMaster,
  type ClusterListener, type ClusterListenerOptions, type DialOptions, type LinkOptions, type SlaveLink, type MasterLink,
} from './endpoints.js';
