/**
 * Snapshots that reads at read concern "snapshot" outside transactions handed out, kept readable
 * for a while: a snapshot session reads its later commands at the `atClusterTime` its first read
 * was answered with, whatever has been written since (MongoDB keeps such history for
 * minSnapshotHistoryWindowInSeconds). A kept snapshot is an open, empty transaction, so the engine
 * keeps the versions later writes replace, as it does for transactions.
 */
import type { Timestamp } from 'bson';
import { endTransaction } from '../storage/access.js';
import type { Engine } from '../storage/engine.js';
import { Transaction } from './transaction.js';

/** How long a snapshot stays readable: MongoDB's default minSnapshotHistoryWindowInSeconds. */
const SNAPSHOT_LIFETIME_MS = 300_000;
/** Snapshots kept at most; the oldest is given up first. */
const MAX_SNAPSHOTS = 100;

export class SnapshotHistory {
  private readonly engine: Engine;
  /** By cluster time (its string form), oldest first. */
  private readonly kept = new Map<string, { txn: Transaction; expiresAt: number }>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Keeps the engine's current data readable as the snapshot at `time`. */
  keep(time: Timestamp, now = Date.now()): void {
    if (this.kept.size >= MAX_SNAPSHOTS) this.release(this.kept.keys().next().value!);
    const txn = new Transaction(0, this.engine.seq, 'snapshot');
    this.engine.openTxns.add(txn);
    this.kept.set(time.toString(), { txn, expiresAt: now + SNAPSHOT_LIFETIME_MS });
  }

  /** The engine write sequence of the kept snapshot at `time`, if it is kept. */
  seqAt(time: Timestamp): number | undefined {
    return this.kept.get(time.toString())?.txn.startSeq;
  }

  reap(now = Date.now()): void {
    for (const [key, { expiresAt }] of this.kept) if (expiresAt <= now) this.release(key);
  }

  releaseAll(): void {
    for (const key of [...this.kept.keys()]) this.release(key);
  }

  private release(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    endTransaction(this.engine, kept.txn, 'committed');
  }
}
