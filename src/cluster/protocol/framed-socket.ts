import type { Socket } from 'node:net';
import { decodeMessage, encodeMessage } from './codec.js';
import { FRAME_HEADER_BYTES, FrameDecoder } from './frame-decoder.js';
import type { FrameAuthenticator } from './frame-auth.js';
import { ProtocolError } from './protocol-error.js';

type MessageListener = (message: unknown) => void;
type CloseListener = (error: Error | undefined) => void;

/**
 * A socket that speaks in whole messages: length-prefixed MessagePack frames, bounded in
 * size, authenticated per frame once keys are installed. Reads are pulled one at a time
 * during the handshake (`next`) and pushed to a listener afterwards (`onMessage`).
 */
export class FramedSocket {
  readonly socket: Socket;
  readonly #decoder: FrameDecoder;
  /** Raw frames not yet read: decoded only when pulled, so keys installed in between apply. */
  readonly #queue: Buffer[] = [];
  #waiter: { resolve: (message: unknown) => void; reject: (error: Error) => void } | undefined;
  #listener: MessageListener | undefined;
  readonly #closeListeners: CloseListener[] = [];
  #inbound: FrameAuthenticator | undefined;
  #outbound: FrameAuthenticator | undefined;
  #closed = false;
  #closeError: Error | undefined;

  constructor(socket: Socket, maxFrameBytes: number) {
    this.socket = socket;
    this.#decoder = new FrameDecoder(maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#onData(chunk);
    });
    socket.on('error', (error) => {
      this.#finish(error);
    });
    socket.on('close', () => {
      this.#finish(undefined);
    });
  }

  /** True once the socket closed or was destroyed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Raises or lowers the frame size limit (small during the handshake). */
  setMaxFrameBytes(bytes: number): void {
    this.#decoder.setMaxFrameBytes(bytes);
  }

  /** From now on every frame in and out is authenticated. */
  installAuthenticators(inbound: FrameAuthenticator, outbound: FrameAuthenticator): void {
    this.#inbound = inbound;
    this.#outbound = outbound;
  }

  /** Sends one message. Returns false when the socket's buffer is full (write anyway, then wait for drain). */
  send(message: unknown): boolean {
    if (this.#closed) return false;
    const payload = encodeMessage(message);
    // Frames sent in the same turn of the event loop leave in one write(v) system call instead
    // of one each: answers to pipelined requests settled together, and answers produced by
    // several reads of one poll phase (setImmediate runs after them; a tick would not wait).
    // Loopback sends are among the dearest system calls of a busy cluster process.
    if (!this.#corked) {
      this.#corked = true;
      this.socket.cork();
      setImmediate(this.#uncork);
    }
    const sealed = this.#outbound === undefined ? payload : this.#outbound.seal(payload);
    // Length prefix and payload as two writes of the corked socket (one writev): no copy of a
    // large payload into a joined frame.
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    header.writeUInt32BE(sealed.length, 0);
    this.socket.write(header);
    return this.socket.write(sealed);
  }

  #corked = false;
  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.socket.uncork();
  };

  /** The next message, or a rejection when none comes within `timeoutMs` or the socket closes. */
  next(timeoutMs: number): Promise<unknown> {
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      try {
        return Promise.resolve(this.#open(queued));
      } catch (error) {
        const failure = error as Error;
        this.destroy(failure);
        return Promise.reject(failure);
      }
    }
    if (this.#closed) return Promise.reject(this.#closeError ?? new ProtocolError('closed', 'connection closed'));
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new ProtocolError('timeout', `no message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Switches to push mode: queued and future messages go to `listener`. */
  onMessage(listener: MessageListener): void {
    this.#listener = listener;
    for (const frame of this.#queue.splice(0)) {
      if (this.#closed) return;
      this.#process(frame);
    }
  }

  /** Called once when the socket closes, with the error that closed it, if any. */
  onClose(listener: CloseListener): void {
    if (this.#closed) listener(this.#closeError);
    else this.#closeListeners.push(listener);
  }

  /** Closes the connection at once (pending writes are dropped). */
  destroy(error?: Error): void {
    if (error !== undefined && this.#closeError === undefined) this.#closeError = error;
    // Frames sent just before (a refusal, a last answer) still go out.
    this.#uncork();
    this.socket.destroy();
    this.#finish(error);
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      if (this.#listener === undefined && this.#waiter === undefined) this.#queue.push(frame);
      else this.#process(frame);
    }
  }

  /** Authenticates and decodes one frame; throws a ProtocolError when it is bad. */
  #open(frame: Buffer): unknown {
    const payload = this.#inbound === undefined ? frame : this.#inbound.open(frame);
    if (payload === undefined) throw new ProtocolError('auth-failed', 'frame authentication failed (altered, injected or replayed frame)');
    return decodeMessage(payload);
  }

  #process(frame: Buffer): void {
    let message: unknown;
    try {
      message = this.#open(frame);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (this.#listener !== undefined) {
      this.#listener(message);
      return;
    }
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(message);
  }

  #finish(error: Error | undefined): void {
    if (error !== undefined && this.#closeError === undefined) this.#closeError = error;
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#closeError ?? new ProtocolError('closed', 'connection closed'));
    for (const listener of this.#closeListeners.splice(0)) listener(this.#closeError);
  }
}
