/**
 * A multi-document transaction: its own pending writes (an overlay over committed data, invisible
 * to everyone else until commit) and the resources it has locked — documents and unique-index
 * keys — so a second writer sees a conflict instead of silently overwriting.
 */
import type { Doc } from '../bson-values.js';
import type { Collection } from '../storage/collection.js';

export type TxnState = 'active' | 'committed' | 'aborted';

export class Transaction {
  readonly txnNumber: number;
  /** Engine write sequence when the transaction began; later committed writes to a doc conflict. */
  readonly startSeq: number;
  state: TxnState = 'active';
  /** Pending writes per namespace: the new document, or null for a delete. */
  readonly writes = new Map<string, Map<string, Doc | null>>();
  readonly resources = new Set<string>();
  /**
   * Per namespace, the committed collection whose compact() made its pending documents (see
   * Collection.compact): the commit stores them as they are when it writes into that same collection.
   */
  readonly compactedBy = new Map<string, Collection>();
  /**
   * The unique-index keys its pending documents hold now (the resource strings of `resources`), to the
   * id holding each, and each pending document's keys: a write checks the transaction's own documents
   * in one lookup per key instead of recomputing every pending document's keys.
   */
  private readonly pendingKeyHolders = new Map<string, string>();
  private readonly pendingKeysOf = new Map<string, string[]>();
  /** The read concern level its first command gave ('local' when none): fixed for its lifetime. */
  readonly readConcernLevel: string;
  /**
   * Collections created inside the transaction (by `create`, `createIndexes` or a first write), by
   * namespace: created at commit, invisible to everyone else before, gone on abort. `shape` is an
   * empty collection with their options and the indexes created in the transaction, against which
   * the transaction's own writes are validated and checked for unique keys.
   */
  readonly pendingCollections = new Map<string, { db: string; name: string; shape: Collection }>();
  private finishedResolve!: () => void;
  readonly finished: Promise<void>;

  constructor(txnNumber: number, startSeq: number, readConcernLevel = 'local') {
    this.txnNumber = txnNumber;
    this.startSeq = startSeq;
    this.readConcernLevel = readConcernLevel;
    this.finished = new Promise((resolve) => (this.finishedResolve = resolve));
  }

  overlay(ns: string): Map<string, Doc | null> | undefined {
    return this.writes.get(ns);
  }

  overlayFor(ns: string): Map<string, Doc | null> {
    let m = this.writes.get(ns);
    if (!m) {
      m = new Map();
      this.writes.set(ns, m);
    }
    return m;
  }

  /** The pending document holding this unique-index key resource, if any. */
  pendingKeyHolder(resource: string): string | undefined {
    return this.pendingKeyHolders.get(resource);
  }

  /** Records the unique-index keys of the pending version of `id` in `ns` (none for a delete). */
  setPendingKeys(ns: string, id: string, keys: string[]): void {
    const docKey = `${ns}\0${id}`;
    for (const key of this.pendingKeysOf.get(docKey) ?? []) if (this.pendingKeyHolders.get(key) === id) this.pendingKeyHolders.delete(key);
    for (const key of keys) this.pendingKeyHolders.set(key, id);
    if (keys.length > 0) this.pendingKeysOf.set(docKey, keys);
    else this.pendingKeysOf.delete(docKey);
  }

  finish(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.finishedResolve();
  }
}
