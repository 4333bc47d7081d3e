import { Writable } from 'node:stream';

/**
 * A Writable whose chunks go, one at a time, to `write` (the stream waits for each promise),
 * so a staged upload handle only says how one chunk is written.
 */
export function asyncWritable(write: (chunk: Buffer) => Promise<void>): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      write(chunk).then(
        () => {
          callback();
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  });
}
