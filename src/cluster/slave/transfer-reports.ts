import type { SlaveTransferEvent } from '../../metrics/index.js';
import { errorCode } from '../../session/index.js';
import type { OperationHandlers, SlaveOperations, TransferOutcome } from '../protocol/index.js';

/** Bytes a failed transfer had moved, when its error says so (a `TransferAbortedError` does). */
function bytesOf(error: unknown): number {
  const bytes = (error as { bytes?: unknown } | null)?.bytes;
  return typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes > 0 ? bytes : 0;
}

async function reported(direction: SlaveTransferEvent['direction'], onTransfer: (event: SlaveTransferEvent) => void, run: () => Promise<TransferOutcome>): Promise<TransferOutcome> {
  const startedAt = Date.now();
  let result: TransferOutcome;
  try {
    result = await run();
  } catch (error) {
    onTransfer({ direction, ok: false, bytes: bytesOf(error), durationMs: Date.now() - startedAt, method: undefined, errorCode: errorCode(error) });
    throw error;
  }
  onTransfer({ direction, ok: true, bytes: result.bytes, durationMs: result.durationMs, method: result.method, errorCode: undefined });
  return result;
}

/**
 * Wraps a slave's operation handlers so that every `send` (a download, seen from the client)
 * and `receive` (an upload) reports its end to `onTransfer`, for the slave's `transfer` event
 * and its metrics. The handlers themselves stay unaware of it.
 */
export function reportTransfers(handlers: OperationHandlers<SlaveOperations>, onTransfer: (event: SlaveTransferEvent) => void): OperationHandlers<SlaveOperations> {
  return {
    ...handlers,
    send: (args, context) => reported('download', onTransfer, () => handlers.send(args, context)),
    receive: (args, context) => reported('upload', onTransfer, () => handlers.receive(args, context)),
  };
}
