// One Logger type for the package: it lives in the lowest module that logs (transfer).
export { silentLogger } from '../transfer/index.js';
export type { Logger } from '../transfer/index.js';
