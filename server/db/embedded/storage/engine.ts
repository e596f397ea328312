/**
 * The catalog (databases → collections) and every committed change. Each change is applied in
 * memory and recorded as a journal op; `flush()` writes the command's ops as one journal record
 * (fsynced) before the server acknowledges. Also owns the lock table shared by transactions.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';
import { Journal } from '../journal/journal.js';
import type { Transaction } from '../txn/transaction.js';
import { Collection } from './collection.js';
import type { IndexSpec } from './index-structure.js';
import type { Doc } from '../bson-values.js';

/** Documents per snapshot record: a batch is serialized between other commands, so it stays short. */
const SNAPSHOT_BATCH = 256;

export class Engine {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private pending: Document[] = [];
  private readonly journal?: Journal;
  /** Monotonic write sequence, used for transaction write-conflict detection. */
  seq = 0;
  readonly openTxns = new Set<Transaction>();
  /** Resource (document or unique key) → transaction holding it. */
  readonly locks = new Map<string, Transaction>();
  /**
   * Every version kept in a collection's history, in write order (sequence, collection, document id, in three
   * columns from `historyHead` on): when a transaction ends, the versions replaced before the oldest open one
   * began are dropped from the front, so versions live about as long as the transactions that may read them.
   */
  private historySeqs: number[] = [];
  private historyColls: Collection[] = [];
  private historyIds: string[] = [];
  private historyHead = 0;

  constructor(journal?: Journal) {
    this.journal = journal;
    if (journal) {
      journal.open((ops) => {
        for (const op of ops) this.replay(op);
      });
      // Replay leaves indexes alone; each is built once, in one sort, over the loaded documents.
      for (const colls of this.dbs.values()) for (const c of colls.values()) c.finishLoad();
    }
  }

  // ---- catalog ----

  databaseNames(): string[] {
    return [...this.dbs.keys()].filter((name) => (this.dbs.get(name)?.size ?? 0) > 0);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  getCollection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created implicitly (as MongoDB does on first insert or index) when missing. */
  ensureCollection(db: string, name: string): Collection {
    return this.getCollection(db, name) ?? this.createCollection(db, name, {});
  }

  createCollection(db: string, name: string, options: Doc): Collection {
    validateCollectionName(db, name);
    if (this.getCollection(db, name)) fail(ErrorCodes.NamespaceExists, `Collection ${db}.${name} already exists.`);
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    const coll = new Collection(db, name, options);
    coll.createdSeq = ++this.seq;
    colls.set(name, coll);
    this.log({ op: 'cc', db, coll: name, options });
    return coll;
  }

  dropCollection(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    colls.delete(name);
    this.log({ op: 'dc', db, coll: name });
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.dbs.has(db)) return;
    this.dbs.delete(db);
    this.log({ op: 'dd', db });
  }

  renameCollection(db: string, from: string, toDb: string, to: string, dropTarget: boolean): void {
    const source = this.getCollection(db, from);
    if (!source) fail(ErrorCodes.NamespaceNotFound, 'source namespace does not exist');
    validateCollectionName(toDb, to);
    if (this.getCollection(toDb, to)) {
      if (!dropTarget) fail(ErrorCodes.NamespaceExists, 'target namespace exists');
      this.dbs.get(toDb)!.delete(to);
    }
    this.dbs.get(db)!.delete(from);
    const target = new Collection(toDb, to, source.options);
    for (const [id, doc] of source.docs) target.docs.set(id, doc);
    for (const index of source.indexes.values()) target.addIndex(index.spec);
    if (!this.dbs.has(toDb)) this.dbs.set(toDb, new Map());
    this.dbs.get(toDb)!.set(to, target);
    this.log({ op: 'rn', db, from, toDb, to });
  }

  setCollectionOptions(coll: Collection, options: Doc): void {
    coll.options = options;
    this.log({ op: 'co', db: coll.dbName, coll: coll.name, options });
  }

  createIndex(coll: Collection, spec: IndexSpec): void {
    coll.addIndex(spec);
    this.log({ op: 'ci', db: coll.dbName, coll: coll.name, spec });
  }

  dropIndex(coll: Collection, name: string): void {
    coll.indexes.delete(name);
    this.log({ op: 'di', db: coll.dbName, coll: coll.name, name });
  }

  // ---- committed document writes ----

  /** `compacted`: the document came from coll.compact() (a transaction's write). */
  insertDoc(coll: Collection, doc: Doc, compacted = false): void {
    const id = coll.insert(doc, compacted);
    this.noteWrite(coll, id, undefined);
    this.log({ op: 'put', db: coll.dbName, coll: coll.name, doc });
  }

  replaceDoc(coll: Collection, id: string, doc: Doc, compacted = false): void {
    const before = coll.docs.get(id);
    coll.replace(id, doc, true, compacted);
    this.noteWrite(coll, id, before);
    this.log({ op: 'put', db: coll.dbName, coll: coll.name, doc });
  }

  removeDoc(coll: Collection, id: string): void {
    const old = coll.remove(id);
    if (!old) return;
    this.noteWrite(coll, id, old);
    this.log({ op: 'del', db: coll.dbName, coll: coll.name, id: old._id });
  }

  private noteWrite(coll: Collection, id: string, before: Doc | undefined): void {
    this.seq++;
    if (this.openTxns.size === 0) return;
    let versions = coll.history.get(id);
    if (!versions) {
      versions = [];
      coll.history.set(id, versions);
    } else {
      // A hot document (a province's counter) is written by every enrolment while transactions always overlap.
      dropUnread(versions, this.oldestOpenStart());
    }
    versions.push({ seq: this.seq, before });
    this.historySeqs.push(this.seq);
    this.historyColls.push(coll);
    this.historyIds.push(id);
  }

  /** The start of the oldest open transaction: no one reads a version replaced at or before it. */
  private oldestOpenStart(): number {
    let oldest = Infinity;
    for (const txn of this.openTxns) if (txn.startSeq < oldest) oldest = txn.startSeq;
    return oldest;
  }

  /**
   * Called when a transaction ends: forgets the versions no open transaction reads any more (all of them when
   * none is open). Under steady concurrency some transaction is always open, so this walks the versions in
   * write order from the oldest and stops at the first one still readable.
   */
  forgetWriteHistory(): void {
    if (this.openTxns.size === 0) {
      for (let i = this.historyHead; i < this.historyColls.length; i++) this.historyColls[i].history.clear();
      this.historySeqs = [];
      this.historyColls = [];
      this.historyIds = [];
      this.historyHead = 0;
      return;
    }
    const oldest = this.oldestOpenStart();
    let head = this.historyHead;
    while (head < this.historySeqs.length && this.historySeqs[head] <= oldest) {
      const coll = this.historyColls[head];
      const id = this.historyIds[head];
      const versions = coll.history.get(id);
      if (versions) {
        dropUnread(versions, oldest);
        if (versions.length === 0) coll.history.delete(id);
      }
      head++;
    }
    // The consumed front is cut off once it is most of the columns, so they stay about as long as what they hold.
    if (head > 1024 && head * 2 > this.historySeqs.length) {
      this.historySeqs = this.historySeqs.slice(head);
      this.historyColls = this.historyColls.slice(head);
      this.historyIds = this.historyIds.slice(head);
      head = 0;
    }
    this.historyHead = head;
  }

  // ---- durability ----

  private log(op: Document): void {
    if (this.journal) this.pending.push(op);
  }

  /**
   * Journals this command's changes as one record; the promise (none when there is nothing to wait for)
   * settles once they are durable. Called before every acknowledgement, which waits for it.
   */
  flush(): Promise<void> | undefined {
    if (!this.journal || this.pending.length === 0) return undefined;
    const ops = this.pending;
    this.pending = [];
    const durable = this.journal.append(ops);
    if (this.journal.needsCompaction) this.journal.compact(this.snapshotOps());
    return durable;
  }

  close(): void {
    // Closing the journal syncs what is still waiting, synchronously.
    void this.flush();
    this.journal?.close();
  }

  /** The compaction in progress, if any (tests wait for it). */
  get compacting(): Promise<void> | undefined {
    return this.journal?.compacting;
  }

  /**
   * The data set as snapshot op batches, read from the live catalog as the walk reaches each part
   * (Map iteration sees later changes; see journal.ts for why such a view is a valid snapshot).
   */
  private *snapshotOps(): Iterable<Document[]> {
    for (const [db, colls] of this.dbs) {
      for (const coll of colls.values()) {
        const head: Document[] = [{ op: 'cc', db, coll: coll.name, options: coll.options }];
        for (const index of coll.indexes.values()) head.push({ op: 'ci', db, coll: coll.name, spec: index.spec });
        yield head;
        let batch: Document[] = [];
        for (const doc of coll.docs.values()) {
          batch.push({ op: 'put', db, coll: coll.name, doc });
          if (batch.length >= SNAPSHOT_BATCH) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
      }
    }
  }

  /** The collection a journal op names, created if missing (replay never fails on the catalog). */
  private replayTarget(op: Document): Collection {
    let colls = this.dbs.get(op.db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(op.db, colls);
    }
    let coll = colls.get(op.coll);
    if (!coll) {
      coll = new Collection(op.db, op.coll, op.options ?? {});
      coll.loading = true;
      colls.set(op.coll, coll);
    }
    return coll;
  }

  /** Re-applies one journal op; every op is idempotent so replay after a partial compaction is safe. */
  private replay(op: Document): void {
    switch (op.op) {
      case 'cc':
        this.replayTarget(op);
        break;
      case 'co':
        this.replayTarget(op).options = op.options;
        break;
      case 'dc':
        this.dbs.get(op.db)?.delete(op.coll);
        break;
      case 'dd':
        this.dbs.delete(op.db);
        break;
      case 'rn': {
        const source = this.getCollection(op.db, op.from);
        if (!source) break;
        this.dbs.get(op.db)!.delete(op.from);
        const target = new Collection(op.toDb, op.to, source.options);
        target.loading = true;
        for (const [id, doc] of source.docs) target.docs.set(id, doc);
        for (const index of source.indexes.values()) target.addIndex(index.spec);
        if (!this.dbs.has(op.toDb)) this.dbs.set(op.toDb, new Map());
        this.dbs.get(op.toDb)!.set(op.to, target);
        break;
      }
      case 'ci': {
        const c = this.replayTarget(op);
        if (!c.indexes.has(op.spec.name)) c.addIndex(op.spec);
        break;
      }
      case 'di':
        this.replayTarget(op).indexes.delete(op.name);
        break;
      case 'put':
        this.replayTarget(op).load(op.doc);
        break;
      case 'del':
        this.replayTarget(op).remove(Collection.idKey({ _id: op.id }));
        break;
      default:
        throw new MongoServerError(ErrorCodes.InternalError, `unknown journal op ${String(op.op)}`);
    }
  }
}

/** Drops a document's leading versions replaced at or before `oldest`: transactions started since read past them. */
function dropUnread(versions: Array<{ seq: number }>, oldest: number): void {
  let n = 0;
  while (n < versions.length && versions[n].seq <= oldest) n++;
  if (n > 0) versions.splice(0, n);
}

export function validateCollectionName(db: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    fail(ErrorCodes.InvalidNamespace, `Invalid collection name: ${db}.${String(name)}`);
  }
  if (!db || /[/\\. "$]/.test(db)) fail(ErrorCodes.InvalidNamespace, `Invalid database name: ${db}`);
}
