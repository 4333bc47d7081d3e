import { fileOutBuffers } from './pump-file-out.js';
import { SMALL_UPLOAD_ARENA_BYTES, UPLOAD_ARENA_BYTES } from './pump-socket-in.js';
import { HEAD_ARENA_BYTES } from './receive-head.js';
import { sizeClassOf, type TransferLease, type TransferMemory } from './transfer-memory.js';

/**
 * What a stream transfer that is not one of our pumps (ASCII, TLS, a backend's own stream)
 * is charged: it allocates through Node streams, outside the pool, but is counted so the
 * number of such transfers at once stays bounded by the budget too.
 */
const PIPELINE_CHARGE = 1024 * 1024;
const BACKEND_STREAM_CHARGE = 64 * 1024;

/** How a transfer will move its bytes, as far as it is known before the data connection opens. */
export interface LeasePlan {
  /** sendfile/splice is expected (the engine is loaded, clear data connection, binary, descriptor). */
  readonly zeroCopy: boolean;
  /** The file handle has a descriptor. */
  readonly fd: boolean;
  readonly binary: boolean;
  /** A throttle is configured for this transfer (uploads then use the stream pipeline). */
  readonly throttled: boolean;
  /**
   * Store with zero-copy expected: the upload's start is read on the event-loop thread
   * (`receiveHead`), so a small one needs no native round trip. @default false
   */
  readonly smallHead?: boolean | undefined;
  /** Retrieve: the bytes to send, when known. */
  readonly length?: number | undefined;
  readonly memory: TransferMemory;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** A lease and, for uploads through the pump, the arena to read into. */
export interface PlannedLease {
  readonly lease: TransferLease | undefined;
  readonly arena?: Buffer | undefined;
}

function charge(memory: TransferMemory, bytes: number): number {
  return Math.min(bytes, memory.limit);
}

/**
 * The lease a retrieve needs before its 150 reply: nothing for zero-copy, the pump's ring
 * sized to the file for a descriptor, a fixed charge for the other stream paths. Waits
 * (bounded) when the budget is spent, then rejects with a `memory-budget` DataConnectionError.
 */
export async function leaseForRetrieve(plan: LeasePlan): Promise<PlannedLease> {
  if (plan.zeroCopy) return { lease: undefined };
  const { memory, timeoutMs, signal } = plan;
  let bytes: number;
  if (plan.fd && plan.binary) {
    const shape = fileOutBuffers(plan.length);
    bytes = shape.size * shape.count;
  } else if (plan.fd) {
    bytes = plan.length === undefined ? PIPELINE_CHARGE : Math.min(PIPELINE_CHARGE, sizeClassOf(Math.max(1, plan.length)));
  } else {
    bytes = BACKEND_STREAM_CHARGE;
  }
  return { lease: await memory.lease(charge(memory, bytes), { timeoutMs, signal }) };
}

/**
 * The lease a store needs before its 150 reply. Zero-copy: the head's arena when asked for
 * and free, else nothing. Through the pump: the full arena when it is
 * free now, else a small one (waiting for it if need be), so a busy server slows uploads down
 * instead of refusing them or growing its heap.
 */
export async function leaseForStore(plan: LeasePlan): Promise<PlannedLease> {
  if (plan.zeroCopy) {
    // The head's small arena only when it is free now: without it, the upload splices from its first byte.
    const lease = plan.smallHead === true && HEAD_ARENA_BYTES <= plan.memory.limit ? plan.memory.tryLease(HEAD_ARENA_BYTES) : undefined;
    return lease === undefined ? { lease: undefined } : { lease, arena: lease.take(HEAD_ARENA_BYTES) };
  }
  const { memory, timeoutMs, signal } = plan;
  if (plan.fd && plan.binary && !plan.throttled) {
    const full = charge(memory, UPLOAD_ARENA_BYTES);
    const lease = memory.tryLease(full) ?? (await memory.lease(charge(memory, SMALL_UPLOAD_ARENA_BYTES), { timeoutMs, signal }));
    // A budget smaller than the small arena: the pump allocates its own, still counted here.
    const arena = lease.bytes >= SMALL_UPLOAD_ARENA_BYTES ? lease.take(lease.bytes) : undefined;
    return { lease, arena };
  }
  const bytes = plan.fd ? PIPELINE_CHARGE : BACKEND_STREAM_CHARGE;
  return { lease: await memory.lease(charge(memory, bytes), { timeoutMs, signal }) };
}
