/**
 * Snapshot reads outside transactions (MongoDB 5.0+): find, aggregate and distinct at `readConcern: snapshot` read
 * one point in time and answer it as `atClusterTime`; a snapshot session sends it back on its later reads, which must
 * see the same data whatever was written since. The engine keeps replaced versions only for open transactions, so
 * each point in time is held by a read-only transaction opened at the first read, for as long as MongoDB's default
 * history window (minSnapshotHistoryWindowInSeconds, 300 s). A point in time not held (expired, from before a
 * restart, or never given out) answers SnapshotTooOld, as MongoDB does for history it no longer has.
 */
import { Timestamp } from 'bson';
import { ErrorCodes, MongoServerError } from '../errors.js';
import { endTransaction } from '../storage/access.js';
import type { Engine } from '../storage/engine.js';
import { Transaction } from './transaction.js';

const SNAPSHOT_HISTORY_MS = 300_000;

/** Not a client's transaction number: these transactions never write and are never committed. */
const READ_ONLY_TXN_NUMBER = -1;

export class SnapshotReads {
  private readonly held = new Map<string, { txn: Transaction; openedAt: number }>();
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /**
   * The read-only transaction a snapshot read runs in, and the point in time it reads: the one the client names in
   * `atClusterTime`, or a new one taken now (`now` gives its cluster time).
   */
  readAt(atClusterTime: unknown, now: () => Timestamp): { txn: Transaction; at: Timestamp } {
    if (atClusterTime === undefined) {
      const at = now();
      const txn = new Transaction(READ_ONLY_TXN_NUMBER, this.engine.seq);
      this.engine.openTxns.add(txn);
      this.held.set(at.toString(), { txn, openedAt: Date.now() });
      return { txn, at };
    }
    const at = atClusterTime instanceof Timestamp ? atClusterTime : undefined;
    const held = at ? this.held.get(at.toString()) : undefined;
    if (!at || !held || held.txn.state !== 'active') {
      throw new MongoServerError(ErrorCodes.SnapshotTooOld, `Read timestamp ${String(atClusterTime)} is older than the oldest available timestamp.`);
    }
    return { txn: held.txn, at };
  }

  /** Lets go of points in time older than the history window, so their versions can be forgotten. */
  reap(now = Date.now()): void {
    for (const [key, { txn, openedAt }] of this.held) {
      if (now - openedAt <= SNAPSHOT_HISTORY_MS) continue;
      if (txn.state === 'active') endTransaction(this.engine, txn, 'aborted');
      this.held.delete(key);
    }
  }

  releaseAll(): void {
    this.reap(Infinity);
  }
}
