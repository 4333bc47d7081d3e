/**
 * The distributed case: master/slave protocol, cluster filesystem and data plane, replication.
 *
 * @packageDocumentation
 */
export {};
