// Internal to the transfer module: LocalDataPlane imports this folder by relative path.
export type { ReceiveFileOptions, SendFileOptions, ZeroCopyEngine, ZeroCopyProgress } from './zero-copy-engine.js';
export { ZeroCopyError } from './zero-copy-error.js';
export { loadZeroCopyEngine, loadZeroCopyEngineFrom, zeroCopyAddonCandidates, ZERO_COPY_ADDON_FILE } from './load-zero-copy-engine.js';
export type { ZeroCopyLoadLog } from './load-zero-copy-engine.js';
export { socketFd } from './socket-fd.js';
