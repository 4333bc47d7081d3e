import { closeSync } from 'node:fs';

/** A directory descriptor held through {@link acquireTurnDir}; `release` once when done with it. */
export interface TurnDirHold {
  readonly fd: number;
  /** `/proc/self/fd/<fd>`: lookups below it go through the descriptor. */
  readonly anchor: string;
  /** The directory's real path as the kernel named it when it was opened. */
  readonly real: string;
  /** Gives the hold back (closing the descriptor once it is neither shared nor held). Idempotent. */
  readonly release: () => void;
}

interface Entry {
  readonly fd: number;
  readonly anchor: string;
  readonly real: string;
  refs: number;
  shared: boolean;
}

/** Most descriptors shared in one turn; beyond, each open has its own. */
const MAX_SHARED = 64;

// Process-wide, not per filesystem: a rename through any LocalFileSystem must reach the
// descriptors every other one shares (two users' roots may overlap).
const shared = new Map<string, Entry>();
let sweepScheduled = false;

function sweep(): void {
  sweepScheduled = false;
  forgetTurnDirs();
}

/**
 * A descriptor of the directory at host path `host`, shared with the other holds taken in
 * this turn of the event loop: `open` (which opens it and names its real path, Linux
 * `/proc/self/fd`) runs only for the first. Sharing ends with the turn or at
 * {@link forgetTurnDirs}; a descriptor closes when sharing ended and every hold was released.
 */
export function acquireTurnDir(host: string, open: () => { fd: number; real: string }): TurnDirHold {
  let entry = shared.get(host);
  if (entry === undefined) {
    const { fd, real } = open();
    entry = { fd, anchor: `/proc/self/fd/${fd}`, real, refs: 0, shared: shared.size < MAX_SHARED };
    if (entry.shared) {
      shared.set(host, entry);
      if (!sweepScheduled) {
        sweepScheduled = true;
        setImmediate(sweep);
      }
    }
  }
  const held = entry;
  held.refs += 1;
  let released = false;
  return {
    fd: held.fd, anchor: held.anchor, real: held.real,
    release: () => {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs === 0 && !held.shared) closeSync(held.fd);
    },
  };
}

/**
 * Ends the sharing of every directory descriptor taken in this turn: the next hold of any
 * directory opens and verifies it again. Called after anything that may move or remove a
 * directory.
 */
export function forgetTurnDirs(): void {
  for (const entry of shared.values()) {
    entry.shared = false;
    if (entry.refs === 0) closeSync(entry.fd);
  }
  shared.clear();
}
