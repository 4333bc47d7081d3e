/**
 * Compliance suites and helpers for people writing their own filesystems, authorizers
 * and data planes. Requires `vitest` as a peer.
 *
 * @packageDocumentation
 */
export {};
