import { afterEach, beforeEach, describe } from 'vitest';
import type { MetadataStore } from '../cluster/index.js';
import { storeQueueCases } from './store-compliance-queue.js';
import { storeRemergeCases } from './store-compliance-remerge.js';
import { storeRenameCases } from './store-compliance-rename.js';
import { storeScaleCases } from './store-compliance-scale.js';
import { storeTreeCases } from './store-compliance-tree.js';
import { storeMetaCases } from './store-compliance-meta.js';

/** A metadata store under test, how to reopen it and how to dispose of it. */
export interface MetadataStoreFixture {
  /** A fresh, empty store (only the root). */
  readonly store: MetadataStore;
  /**
   * Opens the same store again after the test has closed it (a restart). When absent, the
   * reopen case is skipped with a message (an in-memory store keeps nothing).
   * @default undefined
   */
  readonly reopen?: (() => Promise<MetadataStore>) | undefined;
  /** Called after each test, once the suite has closed the store (and any reopened one). @default undefined */
  readonly cleanup?: (() => Promise<void>) | undefined;
}

/** Creates a fresh, empty store for one test. */
export type MetadataStoreFactory = () => Promise<MetadataStoreFixture>;

/** What the case files get: the current store, and a way to restart it. */
export interface StoreCaseContext {
  /** The store of the running test (the reopened one after {@link StoreCaseContext.reopen}). */
  readonly store: () => MetadataStore;
  /** True when the fixture can reopen its store. */
  readonly canReopen: () => boolean;
  /** Closes the current store and opens it again. */
  readonly reopen: () => Promise<MetadataStore>;
}

/**
 * The MetadataStore compliance suite: registers vitest cases that every implementation of
 * `MetadataStore` from `ftpgrid/cluster` must pass: every method's success and typed errors,
 * atomic subtree renames (case-only renames, moves into itself refused), streamed listing of
 * a 100,000-entry directory, concurrent writers, remerge (add, match, conflict, finish) and,
 * when the fixture can reopen its store, a restart that keeps everything. `factory` must
 * return a fresh, empty store for each test; the suite closes it.
 *
 * @example
 * ```ts
 * // my-store.test.ts
 * import { describeMetadataStore } from 'ftpgrid/testing';
 * describeMetadataStore('MyStore', async () => {
 *   const db = await createScratchDatabase();
 *   return { store: await MyStore.open(db), reopen: () => MyStore.open(db), cleanup: () => db.drop() };
 * });
 * ```
 */
export function describeMetadataStore(name: string, factory: MetadataStoreFactory): void {
  describe(`MetadataStore compliance: ${name}`, () => {
    let fixture: MetadataStoreFixture | undefined;
    let current: MetadataStore | undefined;
    const context: StoreCaseContext = {
      store: () => {
        if (current === undefined) throw new Error('describeMetadataStore: no store (factory failed?)');
        return current;
      },
      canReopen: () => fixture?.reopen !== undefined,
      reopen: async () => {
        const reopen = fixture?.reopen;
        if (reopen === undefined || current === undefined) throw new Error('describeMetadataStore: this fixture cannot reopen');
        await current.close();
        current = undefined;
        current = await reopen();
        return current;
      },
    };
    beforeEach(async () => {
      fixture = await factory();
      current = fixture.store;
    });
    afterEach(async () => {
      const store = current;
      const done = fixture;
      current = undefined;
      fixture = undefined;
      await store?.close();
      await done?.cleanup?.();
    });
    describe('tree', () => {
      storeTreeCases(context);
      storeMetaCases(context);
    });
    describe('rename', () => {
      storeRenameCases(context);
    });
    describe('remerge', () => {
      storeRemergeCases(context);
    });
    describe('scale, concurrency and restart', () => {
      storeScaleCases(context);
    });
    describe('operation queue', () => {
      storeQueueCases(context);
    });
  });
}
