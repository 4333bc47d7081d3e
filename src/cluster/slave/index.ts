export { Slave, createSlave, type SlaveConnectionState, type SlaveEvents } from './slave.js';
export type { SlaveOptions } from './slave-options.js';
