import type { Database, RootDatabase } from 'lmdb';
import { checkLimit, checkSeq } from './memory-op-queue.js';
import type { QueuedEntry, QueuedOperation } from './queued-operation.js';
import { checkQueuedOperation, parseQueuedOperation } from './queued-operation.js';
import { checkSlaveName } from './store-path.js';

// Key of a queued operation: the slave's name, a NUL, then the sequence number as 8 bytes
// big-endian, so one slave's queue is one contiguous range in enqueue order.

function queueKey(slave: string, seq: number): Buffer {
  const name = Buffer.from(slave, 'utf8');
  const key = Buffer.alloc(name.length + 9);
  name.copy(key);
  key.writeBigUInt64BE(BigInt(seq), name.length + 1);
  return key;
}

function queueRange(slave: string): { start: Buffer; end: Buffer } {
  const name = Buffer.from(slave, 'utf8');
  return { start: Buffer.concat([name, Buffer.of(0)]), end: Buffer.concat([name, Buffer.of(1)]) };
}

function splitKey(key: Uint8Array): { slave: string; seq: number } {
  const buffer = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return { slave: buffer.toString('utf8', 0, buffer.length - 9), seq: Number(buffer.readBigUInt64BE(buffer.length - 8)) };
}

/** The `queue` database of the embedded store (opened on first use). */
export class LmdbOpQueue {
  readonly #queue: Database<string, Uint8Array>;

  /** Opens the database: call outside any transaction. */
  constructor(env: RootDatabase) {
    this.#queue = env.openDB<string, Uint8Array>('queue', { keyEncoding: 'binary' });
  }

  /** Appends, inside the caller's write transaction; returns the sequence number. */
  enqueueSync(slave: string, operation: QueuedOperation): number {
    checkSlaveName(slave);
    checkQueuedOperation(operation);
    const { start, end } = queueRange(slave);
    let last = 0;
    for (const key of this.#queue.getKeys({ start: end, end: start, reverse: true, limit: 1 })) last = splitKey(key).seq;
    const seq = last + 1;
    this.#queue.putSync(queueKey(slave, seq), JSON.stringify(operation));
    return seq;
  }

  /** Removes, inside the caller's write transaction. */
  dequeueSync(slave: string, seq: number): void {
    checkSlaveName(slave);
    checkSeq(seq);
    this.#queue.removeSync(queueKey(slave, seq));
  }

  peek(slave: string, limit: number): QueuedEntry[] {
    checkSlaveName(slave);
    checkLimit(limit);
    const out: QueuedEntry[] = [];
    for (const { key, value } of this.#queue.getRange({ ...queueRange(slave), limit })) {
      const operation = parseQueuedOperation(value);
      if (operation !== undefined) out.push({ seq: splitKey(key).seq, operation });
    }
    return out;
  }

  lengths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const key of this.#queue.getKeys({})) {
      const { slave } = splitKey(key);
      out.set(slave, (out.get(slave) ?? 0) + 1);
    }
    return out;
  }
}
