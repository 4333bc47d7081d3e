import type { SecureContext } from 'node:tls';
import { DataConnectionError, type DataPlane, type Endpoint, type SessionDataChannel } from '../../transfer/index.js';

/** One transfer the master announced: its data channel, until a send or receive uses it. */
interface Announced {
  readonly channel: SessionDataChannel;
  readonly timer: NodeJS.Timeout;
}

/**
 * The data channels of a slave, one per transfer id. A passive channel accepts only the peer
 * the master named (the FTP client, or the master itself for a relay), so a third party that
 * races for the port is refused exactly as on a standalone server.
 */
export class SlaveTransfers {
  readonly #plane: DataPlane;
  readonly #dataAddress: () => string;
  readonly #tls: SecureContext | undefined;
  readonly #unusedTimeoutMs: number;
  readonly #announced = new Map<string, Announced>();
  readonly #running = new Map<string, SessionDataChannel>();

  constructor(plane: DataPlane, dataAddress: () => string, tls: SecureContext | undefined, unusedTimeoutMs: number) {
    this.#plane = plane;
    this.#dataAddress = dataAddress;
    this.#tls = tls;
    this.#unusedTimeoutMs = unusedTimeoutMs;
  }

  /** Transfers announced or running. */
  get count(): number {
    return this.#announced.size + this.#running.size;
  }

  #attach(transferId: string, peer: string, tls: boolean): SessionDataChannel {
    if (this.#announced.has(transferId) || this.#running.has(transferId)) throw new DataConnectionError('busy', `transfer ${transferId} exists already`);
    if (tls && this.#tls === undefined) throw new DataConnectionError('tls-required', 'this slave has no TLS certificate for data connections');
    const channel = this.#plane.attach({ id: transferId, controlPeer: { host: peer, port: 0 }, controlLocal: { host: this.#dataAddress(), port: 0 } });
    if (tls) channel.setProtection({ level: 'private', secureContext: this.#tls });
    return channel;
  }

  /** Opens a passive listener for `transferId` that accepts only `peer`; returns its port. */
  async listen(transferId: string, peer: string, tls: boolean): Promise<number> {
    const channel = this.#attach(transferId, peer, tls);
    let endpoint: Endpoint;
    try {
      endpoint = await channel.passive({ extended: true });
    } catch (error) {
      await channel.close();
      throw error;
    }
    // A listener nobody uses must not hold a port for ever.
    const timer = setTimeout(() => {
      if (this.#announced.get(transferId)?.channel === channel) {
        this.#announced.delete(transferId);
        void channel.close();
      }
    }, this.#unusedTimeoutMs);
    timer.unref();
    this.#announced.set(transferId, { channel, timer });
    return endpoint.port;
  }

  /**
   * Takes the channel of `transferId` for one transfer: the announced listener, or a new
   * active channel to `connectTo`. Call `release` when the transfer ends.
   */
  async take(transferId: string, connectTo: Endpoint | undefined, tls: boolean): Promise<SessionDataChannel> {
    const announced = this.#announced.get(transferId);
    if (announced !== undefined) {
      clearTimeout(announced.timer);
      this.#announced.delete(transferId);
      this.#running.set(transferId, announced.channel);
      return announced.channel;
    }
    if (connectTo === undefined) throw new DataConnectionError('no-endpoint', `no data connection was announced for transfer ${transferId}`);
    const channel = this.#attach(transferId, connectTo.host, tls);
    this.#running.set(transferId, channel);
    try {
      await channel.active(connectTo);
    } catch (error) {
      this.#running.delete(transferId);
      await channel.close();
      throw error;
    }
    return channel;
  }

  /** Frees the channel of a finished transfer. */
  async release(transferId: string): Promise<void> {
    const channel = this.#running.get(transferId);
    this.#running.delete(transferId);
    await channel?.close();
  }

  /** Aborts a transfer, announced or running; unknown ids are ignored. */
  async abort(transferId: string): Promise<void> {
    const announced = this.#announced.get(transferId);
    if (announced !== undefined) {
      clearTimeout(announced.timer);
      this.#announced.delete(transferId);
      await announced.channel.close();
    }
    await this.#running.get(transferId)?.abort();
  }

  /** Aborts everything (the master connection was lost, or the slave stops). */
  async closeAll(): Promise<void> {
    const ids = [...this.#announced.keys(), ...this.#running.keys()];
    await Promise.all(ids.map(async (id) => {
      await this.abort(id);
      await this.release(id);
    }));
  }
}
