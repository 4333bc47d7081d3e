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
  /** False when this machine cannot run the mode: its suites show as skipped, never as passed. */
  readonly available: boolean;
}

const engine = loadZeroCopyEngine();
// CI builds the addon (`npm ci` runs the install script): there, its absence is a failure, not a skip.
if (engine === null && process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
  throw new Error('zero-copy addon missing under CI: the install step did not build it (FTPGRID_NATIVE_VERBOSE=1 node scripts/build-native.mjs)');
}

/** The modes every transfer suite runs: zero-copy (skipped where the addon is not built), stream, stream without descriptors. */
export const transferModes: readonly TransferMode[] = [
  { name: 'zero-copy', plane: engine === null ? { zeroCopy: 'auto' } : { zeroCopy: 'auto', zeroCopyEngine: engine }, withFd: true, method: 'zero-copy', available: engine !== null },
  { name: 'stream', plane: { zeroCopy: 'off' }, withFd: true, method: 'stream', available: true },
  // A custom filesystem without descriptors: streams even when the engine is there.
  { name: 'stream-no-fd', plane: { zeroCopy: 'auto', ...(engine === null ? {} : { zeroCopyEngine: engine }) }, withFd: false, method: 'stream', available: true },
];

/** Whether the zero-copy engine is available here (tests of it are skipped otherwise). */
export const zeroCopyAvailable = engine !== null;
