export { Slave, createSlave, type SlaveConnectionState, type SlaveEvents as SlaveAgentEvents } from './slave.js';
export type { SlaveOptions } from './slave-options.js';
