/**
 * A multi-document transaction: its own pending writes (an overlay over committed data, invisible
 * to everyone else until commit) and the resources it has locked — documents and unique-index
 * keys — so a second writer sees a conflict instead of silently overwriting.
 */
import type { Doc } from '../bson-values.js';
import type { IndexSpec } from '../storage/index-structure.js';

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
   * Collections created inside the transaction (by `create` or a first insert), by namespace, with
   * their options: created at commit, invisible to everyone else before, gone on abort.
   */
  readonly pendingCollections = new Map<string, { db: string; name: string; options: Doc }>();
  /** Indexes created inside the transaction: built at commit, invisible before. */
  readonly pendingIndexes: Array<{ db: string; coll: string; spec: IndexSpec }> = [];
  private finishedResolve!: () => void;
  readonly finished: Promise<void>;

  constructor(txnNumber: number, startSeq: number) {
    this.txnNumber = txnNumber;
    this.startSeq = startSeq;
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

  finish(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.finishedResolve();
  }
}
