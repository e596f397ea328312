/**
 * One collection's committed state: documents keyed by the canonical form of their `_id`, and the
 * secondary indexes kept in step with every write. Unique constraints are checked before anything
 * changes, so a failed write leaves no trace.
 */
import { canonicalKey, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError } from '../errors.js';
import { compileFilter, type Matcher } from '../query/match.js';
import { ValueSharing } from './compact-values.js';
import { Index, type IndexSpec } from './index-structure.js';

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly dbName: string;
  name: string;
  options: Doc;
  private validator?: { spec: unknown; matches: Matcher };
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();
  /** Repeated values of stored documents, kept once (see compact-values.ts). */
  private readonly sharing = new ValueSharing();
  /** Start-up replay in progress: documents go in without index maintenance (see finishLoad). */
  loading = false;
  /**
   * While transactions are open: for each document written since, the versions it replaced, oldest
   * first (`before` undefined: the document did not exist). Transactions read the version as of
   * their start from here (snapshot isolation) and detect write conflicts with it.
   */
  readonly history = new Map<string, Array<{ seq: number; before: Doc | undefined }>>();

  /** Sequence of the last committed write to a document, if it happened while transactions were open. */
  lastWrite(id: string): number | undefined {
    const versions = this.history.get(id);
    return versions?.[versions.length - 1].seq;
  }

  /** The document as it was just after write sequence `seq` (undefined: it did not exist). */
  versionAt(id: string, seq: number): Doc | undefined {
    const versions = this.history.get(id);
    if (versions) for (const v of versions) if (v.seq > seq) return v.before;
    return this.docs.get(id);
  }

  /** Engine write sequence at which the collection was created (transactions begun before do not see it). */
  createdSeq = 0;

  constructor(dbName: string, name: string, options: Doc = {}) {
    this.dbName = dbName;
    this.name = name;
    this.options = options;
  }

  get ns(): string {
    return `${this.dbName}.${this.name}`;
  }

  static idKey(doc: Doc): string {
    return canonicalKey(doc._id);
  }

  /** Each index's keys for a document, computed once per write. */
  private keyMaps(doc: Doc): Array<Map<string, unknown[]>> {
    return [...this.indexes.values()].map((index) => index.keyMap(doc));
  }

  /** Throws DuplicateKey if a document with these index keys would break a unique index. */
  private checkUnique(keyMaps: Array<Map<string, unknown[]>>, selfId: string): void {
    let i = 0;
    for (const index of this.indexes.values()) {
      const keys = keyMaps[i++];
      if (!index.unique) continue;
      const dup = index.findDuplicate(keys, selfId);
      if (dup) throw duplicateKeyError(this.ns, index.spec, dup.values);
    }
  }

  /**
   * The document as this collection stores it: its repeated values swapped for the ones kept (see
   * compact-values.ts), in a compact object. A transaction's writes are compacted when they are made, so the
   * decoded original dies young rather than after the commit, when the collector has moved it among long-lived
   * objects where its dead room stays committed.
   */
  compact(doc: Doc): Doc {
    return this.sharing.share(doc);
  }

  /** Inserts a document; `compacted`: it came from compact() of this collection already. */
  insert(doc: Doc, compacted = false): string {
    const id = Collection.idKey(doc);
    if (this.docs.has(id)) throw duplicateKeyError(this.ns, ID_INDEX_SPEC, [doc._id]);
    const keyMaps = this.keyMaps(doc);
    this.checkUnique(keyMaps, id);
    const stored = compacted ? doc : this.sharing.share(doc);
    this.docs.set(id, stored);
    let i = 0;
    for (const index of this.indexes.values()) index.add(id, keyMaps[i++], stored);
    return id;
  }

  /**
   * Puts a journalled document back without constraint checks: the journal only holds valid states.
   * While `loading` (start-up replay) indexes are left alone and built once at the end (finishLoad).
   */
  load(decoded: Doc): void {
    const id = Collection.idKey(decoded);
    const doc = this.sharing.share(decoded);
    if (this.loading) {
      this.docs.set(id, doc);
      return;
    }
    const old = this.docs.get(id);
    if (old) this.replace(id, doc, false);
    else {
      this.docs.set(id, doc);
      for (const index of this.indexes.values()) index.add(id, index.keyMap(doc), doc);
    }
  }

  /** Start-up replay is over: builds every index over the loaded documents. */
  finishLoad(): void {
    if (!this.loading) return;
    this.loading = false;
    for (const index of this.indexes.values()) index.build(this.docs);
  }

  /** Replaces a document, touching only the indexes whose keys for it changed (`compacted` as for insert). */
  replace(id: string, newDoc: Doc, check = true, compacted = false): void {
    const old = this.docs.get(id);
    if (!old) throw new MongoServerError(ErrorCodes.InternalError, 'replacing a missing document');
    const keyMaps = this.keyMaps(newDoc);
    const changed: Array<[Index, Map<string, unknown[]>, Map<string, unknown[]>]> = [];
    const unchanged: Array<[Index, Map<string, unknown[]>]> = [];
    let i = 0;
    for (const index of this.indexes.values()) {
      const keys = keyMaps[i++];
      const oldKeys = index.keyMap(old);
      if (sameKeys(oldKeys, keys)) unchanged.push([index, keys]);
      else changed.push([index, keys, oldKeys]);
    }
    // Keys the document already held cannot collide with another document's: only changed indexes are checked.
    if (check) {
      for (const [index, keys] of changed) {
        const dup = index.unique ? index.findDuplicate(keys, id) : undefined;
        if (dup) throw duplicateKeyError(this.ns, index.spec, dup.values);
      }
    }
    // Out of the index while the map still holds the version it was indexed under.
    for (const [index, , oldKeys] of changed) index.remove(id, oldKeys);
    const stored = compacted ? newDoc : this.sharing.share(newDoc);
    this.docs.set(id, stored);
    for (const [index, keys] of changed) index.add(id, keys, stored);
    for (const [index, keys] of unchanged) index.refresh(id, keys, stored);
  }

  remove(id: string): Doc | undefined {
    const old = this.docs.get(id);
    if (!old) return undefined;
    if (!this.loading) for (const index of this.indexes.values()) index.remove(id, index.keyMap(old));
    this.docs.delete(id);
    return old;
  }

  /** Builds an index over existing documents; fails without side effects on a duplicate. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec);
    if (!this.loading) {
      if (index.unique) {
        const seen = new Map<string, unknown[]>();
        for (const doc of this.docs.values()) {
          for (const [ks, values] of index.keyMap(doc)) {
            if (seen.has(ks)) throw duplicateKeyError(this.ns, spec, values);
            seen.set(ks, values);
          }
        }
      }
      index.build(this.docs);
    }
    this.indexes.set(spec.name, index);
  }

  /**
   * Enforces the collection's validator (query-operator form) as MongoDB does with
   * validationLevel strict/moderate and validationAction error.
   */
  validate(doc: Doc, previous?: Doc): void {
    const spec = this.options.validator;
    if (!spec || this.options.validationLevel === 'off' || this.options.validationAction === 'warn') return;
    if (this.validator?.spec !== spec) this.validator = { spec, matches: compileFilter(spec) };
    const matches = this.validator!.matches;
    if (matches(doc)) return;
    // moderate: documents that were already invalid may stay invalid.
    if (previous && this.options.validationLevel === 'moderate' && !matches(previous)) return;
    throw new MongoServerError(ErrorCodes.DocumentValidationFailure, 'Document failed validation', {
      errInfo: { failingDocumentId: doc._id, details: { operatorName: '$and', clausesNotSatisfied: [] } },
    });
  }

  /** The `_id` index: on a clustered collection it is the clustered index, with the name given at create. */
  idIndexSpec(): IndexSpec {
    const clustered = this.options.clusteredIndex as IndexSpec | undefined;
    return clustered ? { ...clustered, clustered: true } : ID_INDEX_SPEC;
  }

  indexSpecs(): IndexSpec[] {
    return [this.idIndexSpec(), ...[...this.indexes.values()].map((i) => i.spec)];
  }
}

/** Whether a document's keys in one index are unchanged by a write (then the index is not touched). */
function sameKeys(a: Map<string, unknown[]>, b: Map<string, unknown[]>): boolean {
  if (a.size !== b.size) return false;
  for (const ks of a.keys()) if (!b.has(ks)) return false;
  return true;
}

export function duplicateKeyError(ns: string, spec: IndexSpec, values: unknown[]): MongoServerError {
  const fields = Object.keys(spec.key);
  const keyValue: Doc = {};
  fields.forEach((f, i) => (keyValue[f] = values[i] ?? null));
  const shown = fields.map((f, i) => `${f}: ${JSON.stringify(values[i] ?? null)}`).join(', ');
  return new MongoServerError(
    ErrorCodes.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${spec.name} dup key: { ${shown} }`,
    { keyPattern: { ...spec.key }, keyValue },
  );
}
