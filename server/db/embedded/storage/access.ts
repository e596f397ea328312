/**
 * Reading and writing one collection on behalf of a command, either directly on committed data or
 * through a transaction's private overlay. Writes outside a transaction wait (see lockHolder) while
 * an open transaction holds the document or unique key; writes inside one conflict (WriteConflict).
 */
import { type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError } from '../errors.js';
import type { Collation } from '../query/collation.js';
import { compileFilter } from '../query/match.js';
import { planQuery, sortWalk, type Plan } from '../query/planner.js';
import type { Transaction } from '../txn/transaction.js';
import { Collection, duplicateKeyError, ID_INDEX_SPEC } from './collection.js';
import type { Index } from './index-structure.js';
import { validateCollectionName, type Engine } from './engine.js';
import type { Slicer } from './slices.js';

export interface ScanStats {
  docsExamined: number;
  keysExamined: number;
  stage: Plan['stage'];
  indexName?: string;
}

export function newScanStats(): ScanStats {
  return { docsExamined: 0, keysExamined: 0, stage: 'COLLSCAN' };
}

export function writeConflict(): MongoServerError {
  return new MongoServerError(
    ErrorCodes.WriteConflict,
    'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
    {},
    ['TransientTransactionError'],
  );
}

export class CollectionAccess {
  readonly engine: Engine;
  readonly db: string;
  readonly name: string;
  readonly txn?: Transaction;
  /** The command's bypassDocumentValidation. */
  bypassValidation = false;
  /** The command's maxTimeMS, bounding how long its writes wait for a transaction's locks. */
  maxTimeMS?: number;

  constructor(engine: Engine, db: string, name: string, txn?: Transaction) {
    this.engine = engine;
    this.db = db;
    this.name = name;
    this.txn = txn;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get collection(): Collection | undefined {
    const coll = this.engine.getCollection(this.db, this.name);
    // A transaction sees the catalog of its snapshot: a collection created since is not there for it
    // (its reads find nothing, its first write creates the collection again and the commit conflicts).
    return coll && this.txn && coll.createdSeq > this.txn.startSeq ? undefined : coll;
  }

  private get overlay(): Map<string, Doc | null> | undefined {
    return this.txn?.overlay(this.ns);
  }

  /** Whether this command reads a transaction snapshot that differs from the latest committed data. */
  private snapshotReads(coll: Collection | undefined): boolean {
    return this.txn !== undefined && coll !== undefined && coll.history.size > 0;
  }

  /** A committed document as this command sees it: for a transaction, as of its start. */
  private committed(coll: Collection, id: string): Doc | undefined {
    return this.snapshotReads(coll) ? coll.versionAt(id, this.txn!.startSeq) : coll.docs.get(id);
  }

  get(id: string): Doc | undefined {
    const overlay = this.overlay;
    if (overlay?.has(id)) return overlay.get(id) ?? undefined;
    const coll = this.collection;
    return coll ? this.committed(coll, id) : undefined;
  }

  /**
   * Matching documents with their ids, in natural order, using an index when one fits; strings
   * compare under `collation` (undefined: simple), which also decides the usable indexes.
   */
  *find(filter: Doc | undefined, stats: ScanStats = newScanStats(), variables?: Doc, collation?: Collation): Iterable<[string, Doc]> {
    const coll = this.collection;
    const overlay = this.overlay;
    const snapshot = this.snapshotReads(coll);
    const matches = compileFilter(filter, variables, collation);
    const seen = overlay || snapshot ? new Set<string>() : undefined;
    const visit = (id: string): Doc | undefined => {
      seen?.add(id);
      const doc = overlay?.has(id) ? overlay.get(id) : this.committed(coll!, id);
      if (!doc) return undefined;
      stats.docsExamined++;
      return matches(doc) ? doc : undefined;
    };
    if (coll) {
      const plan = planQuery(coll, filter ?? {}, collation);
      stats.stage = plan.stage;
      stats.indexName = plan.indexName;
      for (const id of plan.ids ?? coll.docs.keys()) {
        const doc = visit(id);
        if (doc) yield [id, doc];
      }
      stats.keysExamined += plan.stats.keys;
      // Indexes describe the latest data: documents changed since the snapshot may have matched then.
      if (snapshot) {
        for (const id of coll.history.keys()) {
          if (seen!.has(id)) continue;
          const doc = visit(id);
          if (doc) yield [id, doc];
        }
      }
    }
    if (overlay) {
      // Documents this transaction inserted or changed that the plan did not reach.
      for (const [id, doc] of overlay) {
        if (!doc || seen!.has(id)) continue;
        stats.docsExamined++;
        if (matches(doc)) yield [id, doc];
      }
    }
  }

  /**
   * Matching documents in sort order read from an index (see sortWalk), for a sort with a limit:
   * stops after `count` matches instead of sorting every match. Callers check canFindSorted first.
   */
  *findSorted(filter: Doc | undefined, sort: Doc, count: number, stats: ScanStats, variables?: Doc, collation?: Collation): Iterable<[string, Doc]> {
    const coll = this.collection!;
    const { index, direction, prefix } = sortWalk(coll, filter ?? {}, sort, collation)!;
    const matches = compileFilter(filter, variables, collation);
    stats.stage = 'IXSCAN';
    stats.indexName = index.name;
    const seen = new Set<string>();
    let found = 0;
    for (const id of index.ordered(direction, prefix)) {
      stats.keysExamined++;
      if (seen.has(id)) continue;
      seen.add(id);
      const doc = coll.docs.get(id);
      if (!doc) continue;
      stats.docsExamined++;
      if (!matches(doc)) continue;
      yield [id, doc];
      if (++found >= count) return;
    }
  }

  /**
   * Whether findSorted should serve this query: an index walk fits, and the filter has no exact-key
   * plan; a walk without pinned fields is only taken when the filter has no index of its own.
   */
  canFindSorted(filter: Doc | undefined, sort: Doc, collation?: Collation): boolean {
    const coll = this.collection;
    if (this.txn || !coll) return false;
    const walk = sortWalk(coll, filter ?? {}, sort, collation);
    if (!walk) return false;
    const plan = planQuery(coll, filter ?? {}, collation);
    if (plan.exact) return false;
    return walk.prefix.length > 0 || plan.stage === 'COLLSCAN';
  }

  /** Every document as this command sees it, without filter machinery (whole-collection pipelines). */
  all(): Doc[] {
    const coll = this.collection;
    if (!this.overlay && !this.snapshotReads(coll)) return coll ? Array.from(coll.docs.values()) : [];
    return Array.from(this.find(undefined), ([, doc]) => doc);
  }

  /**
   * all(), pausing every few ms outside a transaction (inside one, reads run in one go on its
   * snapshot): a country's enrolments are millions, and going through find() would also make an
   * [id, document] pair for each, garbage that the collector then pauses everyone for.
   */
  async allSliced(slicer: Slicer): Promise<Doc[]> {
    const coll = this.collection;
    if (!coll || this.txn || this.overlay || this.snapshotReads(coll)) return this.all();
    const out: Doc[] = [];
    for (const doc of coll.docs.values()) {
      out.push(doc);
      const pause = slicer.tick();
      if (pause) await pause;
    }
    return out;
  }

  count(): number {
    const coll = this.collection;
    if (!this.overlay && !this.snapshotReads(coll)) return coll?.docs.size ?? 0;
    let n = 0;
    for (const entry of this.find(undefined)) if (entry) n++;
    return n;
  }

  /**
   * The collection as this command sees it in the catalog, and where its writes go: the committed
   * one, else one its transaction created (an empty shape carrying its options, default collation
   * and indexes, see Transaction.pendingCollections).
   */
  get catalogEntry(): Collection | undefined {
    return this.collection ?? this.txn?.pendingCollections.get(this.ns)?.shape;
  }

  insert(doc: Doc): void {
    const id = Collection.idKey(doc);
    if (!this.bypassValidation) this.catalogEntry?.validate(doc);
    if (this.txn) {
      this.txnWrite(id, doc, true);
      return;
    }
    const coll = this.engine.ensureCollection(this.db, this.name);
    this.engine.insertDoc(coll, doc);
  }

  replace(id: string, doc: Doc): void {
    if (!this.bypassValidation) this.catalogEntry?.validate(doc, this.get(id));
    if (this.txn) {
      this.txnWrite(id, doc, false);
      return;
    }
    this.engine.replaceDoc(this.collection!, id, doc);
  }

  remove(id: string): void {
    if (this.txn) {
      this.txnWrite(id, null, false);
      return;
    }
    const coll = this.collection;
    if (coll) this.engine.removeDoc(coll, id);
  }

  /** The unique-index keys a document holds in this collection: the index, its key values and its resource string. */
  private uniqueKeys(coll: Collection | undefined, doc: Doc | null): Array<{ index: Index; values: unknown[]; resource: string }> {
    const out: Array<{ index: Index; values: unknown[]; resource: string }> = [];
    if (!doc || !coll) return out;
    for (const index of coll.indexes.values()) {
      if (!index.unique) continue;
      for (const [ks, values] of index.keyMap(doc)) out.push({ index, values, resource: `${this.ns}\0${index.name}\0${ks}` });
    }
    return out;
  }

  private resources(coll: Collection | undefined, id: string, doc: Doc | null): string[] {
    return [`${this.ns}\0${id}`, ...this.uniqueKeys(coll, doc).map((k) => k.resource)];
  }

  /**
   * The open transaction holding any of these intended writes (document id, new document or null
   * for a delete), if one does. Writes outside transactions wait for it, as MongoDB blocks them.
   */
  lockHolder(writes: Array<[string, Doc | null]>): Transaction | undefined {
    if (this.engine.locks.size === 0) return undefined;
    const coll = this.collection;
    for (const [id, doc] of writes) {
      for (const r of this.resources(coll, id, doc)) {
        const holder = this.engine.locks.get(r);
        if (holder && holder !== this.txn) return holder;
      }
    }
    return undefined;
  }

  private txnWrite(id: string, doc: Doc | null, isInsert: boolean): void {
    const txn = this.txn!;
    // A first insert creates the collection at commit (see Transaction.pendingCollections).
    if (doc && !this.collection) pendingCollection(txn, this.db, this.name);
    const coll = this.catalogEntry;
    const keys = this.uniqueKeys(coll, doc);
    const resources = [`${this.ns}\0${id}`, ...keys.map((k) => k.resource)];
    for (const r of resources) {
      const holder = this.engine.locks.get(r);
      if (holder && holder !== txn) throw writeConflict();
    }
    const lastWrite = coll?.lastWrite(id);
    if (lastWrite !== undefined && lastWrite > txn.startSeq) throw writeConflict();
    const overlay = txn.overlayFor(this.ns);
    if (doc && coll) this.checkUniqueMerged(coll, overlay, id, doc, isInsert, keys);
    for (const r of resources) {
      this.engine.locks.set(r, txn);
      txn.resources.add(r);
    }
    const committed = this.collection;
    if (doc && committed) {
      doc = committed.compact(doc);
      txn.compactedBy.set(this.ns, committed);
    }
    overlay.set(id, doc);
    txn.setPendingKeys(this.ns, id, keys.map((k) => k.resource));
  }

  /** Unique constraints against committed data as this transaction sees it, plus its own writes. */
  private checkUniqueMerged(coll: Collection, overlay: Map<string, Doc | null>, id: string, doc: Doc, isInsert: boolean, keys: Array<{ index: Index; values: unknown[]; resource: string }>): void {
    if (isInsert) {
      const exists = overlay.has(id) ? overlay.get(id) !== null : coll.docs.has(id);
      if (exists) throw duplicateKeyError(this.ns, ID_INDEX_SPEC, [doc._id]);
    }
    for (const { index, values, resource } of keys) {
      for (const other of index.lookup(values)) {
        if (other !== id && !overlay.has(other)) throw duplicateKeyError(this.ns, index.spec, values);
      }
      const holder = this.txn!.pendingKeyHolder(resource);
      if (holder !== undefined && holder !== id) throw duplicateKeyError(this.ns, index.spec, values);
    }
  }
}

/**
 * The collection `db.name` as the transaction creates it, registered on first use (by `create`,
 * `createIndexes` or a first write) with the given options.
 */
export function pendingCollection(txn: Transaction, db: string, name: string, options: Doc = {}): Collection {
  const ns = `${db}.${name}`;
  let pending = txn.pendingCollections.get(ns);
  if (!pending) {
    validateCollectionName(db, name);
    pending = { db, name, shape: new Collection(db, name, options) };
    txn.pendingCollections.set(ns, pending);
  }
  return pending.shape;
}

/** Applies a transaction's writes to committed data and releases its locks. */
export function commitTransaction(engine: Engine, txn: Transaction): void {
  // A collection the transaction created that someone else has created since (outside it, or in a
  // transaction that committed first): the transaction fails whole with a write conflict, as on
  // MongoDB, checked before anything is written.
  for (const { db, name } of txn.pendingCollections.values()) {
    if (engine.getCollection(db, name)) {
      endTransaction(engine, txn, 'aborted');
      throw writeConflict();
    }
  }
  for (const { db, name, shape } of txn.pendingCollections.values()) {
    const coll = engine.createCollection(db, name, shape.options);
    for (const index of shape.indexes.values()) engine.createIndex(coll, index.spec);
  }
  for (const [ns, overlay] of txn.writes) {
    const dot = ns.indexOf('.');
    const db = ns.slice(0, dot);
    const name = ns.slice(dot + 1);
    for (const [id, doc] of overlay) {
      const coll = engine.getCollection(db, name) ?? (doc ? engine.ensureCollection(db, name) : undefined);
      if (!coll) continue;
      const compacted = txn.compactedBy.get(ns) === coll;
      if (!doc) engine.removeDoc(coll, id);
      else if (coll.docs.has(id)) engine.replaceDoc(coll, id, doc, compacted);
      else engine.insertDoc(coll, doc, compacted);
    }
  }
  endTransaction(engine, txn, 'committed');
}

export function endTransaction(engine: Engine, txn: Transaction, state: 'committed' | 'aborted'): void {
  for (const r of txn.resources) if (engine.locks.get(r) === txn) engine.locks.delete(r);
  txn.resources.clear();
  engine.openTxns.delete(txn);
  engine.forgetWriteHistory();
  txn.finish(state);
}
