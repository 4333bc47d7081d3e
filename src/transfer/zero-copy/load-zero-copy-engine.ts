import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createZeroCopyEngine } from './create-zero-copy-engine.js';
import { isNativeBinding } from './native-binding.js';
import type { ZeroCopyEngine } from './zero-copy-engine.js';

/** Where the loader reports what it found: one line either way. */
export interface ZeroCopyLoadLog {
  warn(msg: string): void;
  info?(msg: string): void;
}

/** File name of the addon that node-gyp builds from binding.gyp. */
export const ZERO_COPY_ADDON_FILE = 'ftpgrid_zero_copy.node';

// From src/transfer/zero-copy (tests), dist/ or dist/transfer (bundles) or an installed
// node_modules/ftpgrid/dist, the package root is a few levels up; eight is plenty and bounded.
const MAX_LEVELS_UP = 8;

/**
 * Where the addon may be, nearest first: `build/Release/ftpgrid_zero_copy.node` (built at
 * install) and `prebuilds/<platform>-<arch>/ftpgrid_zero_copy.node`, in `fromDir` and each of
 * its ancestors up to a fixed depth.
 */
export function zeroCopyAddonCandidates(fromDir: string): string[] {
  const candidates: string[] = [];
  let dir = fromDir;
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    candidates.push(join(dir, 'build', 'Release', ZERO_COPY_ADDON_FILE));
    candidates.push(join(dir, 'prebuilds', `${process.platform}-${process.arch}`, ZERO_COPY_ADDON_FILE));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return candidates;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

/**
 * Loads the addon from the first of `candidates` that exists, uncached. Returns `null`, after
 * one `log.warn` line saying streams are used, when none exists, it fails to load, it has an
 * unexpected shape or version, or the platform is not Linux. Used by
 * {@link loadZeroCopyEngine}; tests call it with paths of their own.
 */
export function loadZeroCopyEngineFrom(candidates: readonly string[], log?: ZeroCopyLoadLog): ZeroCopyEngine | null {
  const fallback = (reason: string): null => {
    log?.warn(`ftpgrid: zero-copy engine unavailable (${reason}); transfers use streams`);
    return null;
  };
  if (process.platform !== 'linux') return fallback(`sendfile/splice engine is Linux-only, this is ${process.platform}`);
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) return fallback(`${ZERO_COPY_ADDON_FILE} not found; build it with 'npm rebuild ftpgrid' or 'node scripts/build-native.mjs'`);
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (error) {
    return fallback(`${path} failed to load: ${describe(error)}`);
  }
  if (!isNativeBinding(loaded)) return fallback(`${path} is not a compatible build; rebuild it`);
  log?.info?.(`ftpgrid: zero-copy engine loaded from ${path}`);
  return createZeroCopyEngine(loaded);
}

let cached: { engine: ZeroCopyEngine | null } | undefined;

/**
 * The zero-copy engine, or `null` when the addon is absent or unsupported, in which case
 * transfers must use streams. The first call looks the addon up (see
 * {@link zeroCopyAddonCandidates}) and logs one line; later calls return the cached result
 * without logging.
 *
 * @example
 * ```ts
 * const engine = loadZeroCopyEngine({ warn: (m) => logger.warn({}, m) });
 * const method = engine ? 'zero-copy' : 'stream';
 * ```
 */
export function loadZeroCopyEngine(log?: ZeroCopyLoadLog): ZeroCopyEngine | null {
  cached ??= { engine: loadZeroCopyEngineFrom(zeroCopyAddonCandidates(dirname(fileURLToPath(import.meta.url))), log) };
  return cached.engine;
}
