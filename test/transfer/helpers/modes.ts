import type { LocalDataPlaneOptions } from '../../../src/transfer/index.js';
import { loadZeroCopyEngine } from '../../../src/transfer/zero-copy/index.js';

/** One way of moving bytes that every transfer test runs on. */
export interface TransferMode {
  readonly name: 'zero-copy' | 'stream' | 'stream-no-fd';
  /** Data plane options that select the mode. */
  readonly plane: LocalDataPlaneOptions;
  /** Whether handles carry descriptors. */
  readonly withFd: boolean;
  /** The method a binary transfer of a file with a descriptor is expected to report. */
  readonly method: 'zero-copy' | 'stream';
}

const engine = loadZeroCopyEngine();

/** The modes of this machine: stream always, zero-copy when the addon is built. */
export const transferModes: readonly TransferMode[] = [
  ...(engine === null ? [] : [{ name: 'zero-copy', plane: { zeroCopy: 'auto', zeroCopyEngine: engine }, withFd: true, method: 'zero-copy' } as const]),
  { name: 'stream', plane: { zeroCopy: 'off' }, withFd: true, method: 'stream' },
  // A custom filesystem without descriptors: streams even when the engine is there.
  { name: 'stream-no-fd', plane: { zeroCopy: 'auto', ...(engine === null ? {} : { zeroCopyEngine: engine }) }, withFd: false, method: 'stream' },
];

/** Whether the zero-copy engine is available here (tests of it are skipped otherwise). */
export const zeroCopyAvailable = engine !== null;
