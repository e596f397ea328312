/**
 * A secondary index: the collection's document ids in key order, in a sorted list cut into chunks
 * (a two-level B-tree), answering equality lookups, unique checks, range scans and ordered walks by
 * binary search.
 *
 * An entry holds no copy of its key. For a document with one key tuple (the common case) the entry
 * is the document's id string itself, shared with the collection's document map, and beside it the
 * index keeps the document object it was indexed under, whose fields a search compares against
 * (no lookup in the map per comparison: that made inserts 1.7× the CPU of a hash index); only
 * documents with several keys (arrays) have one entry per key, the id string beside its key tuple instead of the
 * document, tuples shared between entries with equal keys. So an index costs about two pointers per key instead
 * of a hash entry, a key string and a tuple (an entry object and a tuple per array element cost a place-scoped
 * enrolment's four-element `placePath` index about 800 bytes).
 * The collection points unchanged entries at a document's new version on every write (refresh), so
 * no superseded version stays reachable.
 */
import type { Query } from 'mingo/query';
import { compareValues, typeRank, canonicalKey, type Doc } from '../bson-values.js';
import { createQuery } from '../query/mingo-context.js';
import { parseCollation } from '../query/collation.js';
import { pathValues } from './paths.js';

export interface IndexSpec {
  v?: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  [option: string]: unknown;
}

/** A chunk's last entry with its key. */
interface MultiEntry {
  id: string;
  key: unknown[];
}

/** A document id in a chunk, or a chunk's bound. */
type Entry = string | MultiEntry;

/** Beside an id in a chunk: the document its single key is read from, or the key tuple of a multikey entry. */
type Slot = Doc | unknown[] | undefined;

/** Distinct multikey tuples an index shares at most; past it new tuples are kept by their entries alone. */
const SHARED_TUPLES = 65_536;

const idOf = (e: Entry): string => (typeof e === 'string' ? e : e.id);

export interface RangeBound {
  value: unknown;
  inclusive: boolean;
}

/** Entries per chunk before it splits, in a small index: inserts move at most this many pointers. */
const CHUNK = 64;
/** The most entries a chunk is split at, however large the index. */
const MAX_CHUNK = 512;

/**
 * Where chunks split in an index of `size` entries. A split inserts into the list of chunks (and of their
 * documents and bounds), moving a pointer per chunk: with a fixed size that grows with the index, and a CPU
 * profile of an enrolment load past 850,000 put 23% of the time in inserting entries. About the cube root of
 * the size balances that against the pointers an insert moves inside its chunk.
 */
function chunkLimit(size: number): number {
  return Math.min(MAX_CHUNK, Math.max(CHUNK, Math.round(Math.cbrt(size * 4))));
}

/** A place in the sorted list. */
interface Position {
  c: number;
  i: number;
}

export class Index {
  readonly spec: IndexSpec;
  readonly fields: string[];
  private readonly paths: string[][];
  /** Fields without dots are read straight off the document. */
  private readonly plain: boolean[];
  private readonly partial?: Query;
  private chunks: string[][] = [];
  /**
   * Beside each id, the document it was indexed under (a search reads keys from it without a lookup in the
   * collection's map), or for a multikey entry its key tuple.
   */
  private chunkDocs: Array<Array<Slot>> = [];
  /** Multikey tuples by key string, one per distinct key (see SHARED_TUPLES). */
  private readonly tuples = new Map<string, unknown[]>();
  /** Each chunk's last entry with its key, so the search among chunks reads no documents. */
  private bounds: MultiEntry[] = [];
  private size = 0;
  /** Bumped by every change, so a walk paused across a yield finds its place again. */
  private version = 0;
  /** Whether some document contributed several keys (an array): such an index cannot serve sorts. */
  multikey = false;
  /**
   * Key order: MongoDB's, with strings compared under the index's collation (so keys equal under it
   * are neighbours, and a unique collated index refuses them), and the key string that tells a
   * document's equal keys apart.
   */
  private readonly compareValue: (a: unknown, b: unknown) => number;
  private readonly encode: (v: unknown) => string;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    this.plain = this.paths.map((p) => p.length === 1);
    if (spec.partialFilterExpression) this.partial = createQuery(spec.partialFilterExpression);
    const collation = parseCollation(spec.collation);
    const strings = collation?.compare;
    this.compareValue = strings ? (a, b) => compareValues(a, b, strings) : compareKeyValues;
    this.encode = collation ? collation.key : canonicalKey;
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** The key tuples a document contributes (several for arrays), or none when sparse/partial exclude it. */
  keysOf(doc: Doc): unknown[][] {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.paths.map((parts) => pathValues(doc, parts));
    if (this.spec.sparse && perField.every((vals) => vals.length === 0)) return [];
    let tuples: unknown[][] = [[]];
    for (const vals of perField) {
      const options = vals.length === 0 ? [null] : vals.map((v) => (v === undefined ? null : v));
      const next: unknown[][] = [];
      for (const t of tuples) for (const v of options) next.push([...t, v]);
      tuples = next;
    }
    return tuples;
  }

  keyString(values: unknown[]): string {
    return values.length === 1 ? this.encode(values[0]) : values.map((v) => this.encode(v)).join('\u0001');
  }

  private compareTuples(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < a.length; i++) {
      const c = this.compareValue(a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Distinct key strings of a document, with the tuple each stands for. */
  keyMap(doc: Doc): Map<string, unknown[]> {
    const out = new Map<string, unknown[]>();
    for (const t of this.keysOf(doc)) out.set(this.keyString(t), t);
    return out;
  }

  /** Field `f` of the single key of a document indexed under its id (it is in the index: no partial or sparse test). */
  private storedField(doc: Doc, f: number): unknown {
    let v: unknown;
    if (this.plain[f]) {
      v = doc[this.paths[f][0]];
      if (Array.isArray(v)) v = v[0];
    } else {
      v = pathValues(doc, this.paths[f])[0];
    }
    return v === undefined ? null : v;
  }

  private keyOf(e: Entry, doc: Slot): unknown[] {
    if (typeof e !== 'string') return e.key;
    if (Array.isArray(doc)) return doc;
    const key = new Array<unknown>(this.paths.length);
    for (let f = 0; f < key.length; f++) key[f] = this.storedField(doc!, f);
    return key;
  }

  /** Compares an entry's key with the first `n` values of `key`, reading no more fields than needed. */
  private compareEntry(e: Entry, doc: Slot, key: unknown[], n = key.length): number {
    if (typeof e === 'string' && !Array.isArray(doc)) {
      for (let f = 0; f < n; f++) {
        const c = this.compareValue(this.storedField(doc!, f), key[f]);
        if (c !== 0) return c;
      }
      return 0;
    }
    const tuple = typeof e === 'string' ? (doc as unknown[]) : e.key;
    for (let f = 0; f < n; f++) {
      const c = this.compareValue(tuple[f], key[f]);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** First position whose entry is not `before` (entries are ordered, so `before` holds on a prefix). */
  private seek(before: (e: Entry, doc: Slot) => boolean): Position {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    // The first chunk whose last entry is not before.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.bounds[mid], undefined)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return { c: lo, i: 0 };
    const chunk = chunks[lo];
    const docs = this.chunkDocs[lo];
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(chunk[mid], docs[mid])) a = mid + 1;
      else b = mid;
    }
    return { c: lo, i: a };
  }

  /** Position of the first entry at or after (key, id). */
  private seekEntry(key: unknown[], id: string): Position {
    return this.seek((e, doc) => {
      const c = this.compareEntry(e, doc, key);
      return c < 0 || (c === 0 && idOf(e) < id);
    });
  }

  private bound(c: number): MultiEntry {
    const chunk = this.chunks[c];
    const last = chunk.length - 1;
    return { id: idOf(chunk[last]), key: this.keyOf(chunk[last], this.chunkDocs[c][last]) };
  }

  private at(p: Position): Entry | undefined {
    return this.chunks[p.c]?.[p.i];
  }

  private docAt(p: Position): Slot {
    return this.chunkDocs[p.c]?.[p.i];
  }

  private insertEntry(key: unknown[], id: string, doc: Slot): void {
    if (this.chunks.length === 0) {
      this.chunks.push([id]);
      this.chunkDocs.push([doc]);
      this.bounds.push(this.bound(0));
    } else {
      let { c, i } = this.seekEntry(key, id);
      if (c === this.chunks.length) {
        c--;
        i = this.chunks[c].length;
      }
      const chunk = this.chunks[c];
      const docs = this.chunkDocs[c];
      chunk.splice(i, 0, id);
      docs.splice(i, 0, doc);
      const limit = chunkLimit(this.size);
      if (chunk.length > 2 * limit) {
        this.chunks.splice(c + 1, 0, chunk.splice(limit));
        this.chunkDocs.splice(c + 1, 0, docs.splice(limit));
        this.bounds.splice(c + 1, 0, this.bound(c + 1));
        this.bounds[c] = this.bound(c);
      } else if (i === chunk.length - 1) {
        this.bounds[c] = this.bound(c);
      }
    }
    this.size++;
    this.version++;
  }

  private removeEntry(key: unknown[], id: string): void {
    const p = this.seekEntry(key, id);
    const e = this.at(p);
    if (e === undefined || idOf(e) !== id || this.compareEntry(e, this.docAt(p), key) !== 0) return;
    const chunk = this.chunks[p.c];
    chunk.splice(p.i, 1);
    this.chunkDocs[p.c].splice(p.i, 1);
    if (chunk.length === 0) {
      this.chunks.splice(p.c, 1);
      this.chunkDocs.splice(p.c, 1);
      this.bounds.splice(p.c, 1);
    } else if (p.i === chunk.length) {
      this.bounds[p.c] = this.bound(p.c);
    }
    this.size--;
    this.version++;
  }

  /** The id of another document already holding one of these keys, if any (unique indexes). */
  findDuplicate(keys: Map<string, unknown[]>, selfId: string): { id: string; values: unknown[] } | undefined {
    for (const values of keys.values()) {
      for (const id of this.lookup(values)) if (id !== selfId) return { id, values };
    }
    return undefined;
  }

  /** Indexes a document under its keys (from keyMap of this very document object). */
  add(id: string, keys: Map<string, unknown[]>, doc: Doc): void {
    if (keys.size === 1) {
      const [key] = keys.values();
      this.insertEntry(key, id, doc);
      return;
    }
    if (keys.size > 1) this.multikey = true;
    for (const [ks, key] of keys) this.insertEntry(key, id, this.sharedTuple(ks, key));
  }

  /** The index's one tuple for a multikey key (its entries never change a tuple). */
  private sharedTuple(keyString: string, key: unknown[]): unknown[] {
    const shared = this.tuples.get(keyString);
    if (shared) return shared;
    if (this.tuples.size < SHARED_TUPLES) this.tuples.set(keyString, key);
    return key;
  }

  /**
   * Points a document's entry at its new version when a write left its keys here unchanged, so the
   * index holds no superseded version (`keys` the same either way).
   */
  refresh(id: string, keys: Map<string, unknown[]>, doc: Doc): void {
    if (keys.size !== 1) return;
    const [key] = keys.values();
    const p = this.seekEntry(key, id);
    if (this.at(p) === id && !Array.isArray(this.docAt(p))) this.chunkDocs[p.c][p.i] = doc;
  }

  /** Takes a document's entries out; `keys` are those it was added with (its document not yet changed). */
  remove(id: string, keys: Map<string, unknown[]>): void {
    for (const key of keys.values()) this.removeEntry(key, id);
  }

  /**
   * Builds the index over documents in one sort (index creation, start-up). The sort runs over a
   * permutation of entry numbers, with the keys in one column per field: no object per entry, and
   * every temporary a few large arrays that go back whole when the build ends (an object per entry
   * left millions of small dead objects scattered among the live chunks, RSS that was not returned).
   * The chunks are exactly their entries' length.
   */
  build(entries: Iterable<[string, Doc]>): void {
    const ids: string[] = [];
    const builtDocs: Slot[] = [];
    const columns: unknown[][] = this.paths.map(() => []);
    const push = (id: string, doc: Slot, key: unknown[]): void => {
      ids.push(id);
      builtDocs.push(doc);
      for (let f = 0; f < columns.length; f++) columns[f].push(key[f]);
    };
    for (const [id, doc] of entries) {
      const keys = this.keysOf(doc);
      if (keys.length === 1) push(id, doc, keys[0]);
      else {
        if (keys.length > 1) this.multikey = true;
        const seen = new Set<string>();
        for (const key of keys) {
          const ks = this.keyString(key);
          if (seen.has(ks)) continue;
          seen.add(ks);
          push(id, this.sharedTuple(ks, key), key);
        }
      }
    }
    const n = ids.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      for (let f = 0; f < columns.length; f++) {
        const c = this.compareValue(columns[f][a], columns[f][b]);
        if (c !== 0) return c;
      }
      return ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0;
    });
    this.chunks = [];
    this.chunkDocs = [];
    const limit = chunkLimit(n);
    for (let start = 0; start < n; start += limit) {
      const length = Math.min(limit, n - start);
      const chunk = new Array<string>(length);
      const docs = new Array<Slot>(length);
      for (let j = 0; j < length; j++) {
        chunk[j] = ids[order[start + j]];
        docs[j] = builtDocs[order[start + j]];
      }
      this.chunks.push(chunk);
      this.chunkDocs.push(docs);
    }
    this.bounds = this.chunks.map((_, c) => this.bound(c));
    this.size = n;
    this.version++;
  }

  /** Ids whose key equals the tuple exactly. */
  lookup(values: unknown[]): string[] {
    const out: string[] = [];
    for (const [key, id] of this.walk(this.seekEntry(values, ''), 1)) {
      if (this.compareTuples(key, values) !== 0) break;
      out.push(id);
    }
    return out;
  }

  /**
   * Entries from a position on, forwards or backwards, with their keys. A walk survives changes to the
   * index between steps (a scan that yields to other connections): it finds its place again after
   * the last entry it produced.
   */
  private *walk(start: Position, direction: 1 | -1): Generator<[unknown[], string]> {
    let p = { ...start };
    if (direction === -1) p = this.prev(p);
    let version = this.version;
    let last: [unknown[], string] | undefined;
    for (;;) {
      if (version !== this.version) {
        version = this.version;
        if (last) {
          const [key, id] = last;
          p = this.seekEntry(key, id);
          const e = this.at(p);
          if (direction === 1) {
            if (e !== undefined && idOf(e) === id && this.compareEntry(e, this.docAt(p), key) === 0) p = this.next(p);
          } else {
            p = this.prev(p);
          }
        }
      }
      const e = this.at(p);
      if (e === undefined) return;
      last = [this.keyOf(e, this.docAt(p)), idOf(e)];
      yield last;
      p = direction === 1 ? this.next(p) : this.prev(p);
    }
  }

  private next(p: Position): Position {
    if (p.i + 1 < (this.chunks[p.c]?.length ?? 0)) return { c: p.c, i: p.i + 1 };
    return { c: p.c + 1, i: 0 };
  }

  private prev(p: Position): Position {
    if (p.i > 0) return { c: p.c, i: p.i - 1 };
    if (p.c === 0) return { c: -1, i: 0 };
    const c = p.c - 1;
    return { c, i: this.chunks[c].length - 1 };
  }

  /**
   * Ids whose leading key lies within the bounds, staying inside the bound's BSON type bracket as
   * MongoDB's comparison operators do. Also reports how many keys were examined.
   */
  *scanLeading(lower: RangeBound | undefined, upper: RangeBound | undefined, stats: { keys: number }): Iterable<string> {
    const rank = typeRank((lower ?? upper)!.value);
    const bound = lower ? [lower.value] : [];
    const start = this.seek((e, doc) => {
      if (!lower) return typeRank(this.keyOf(e, doc)[0]) < rank;
      const c = this.compareEntry(e, doc, bound);
      return c < 0 || (c === 0 && !lower.inclusive);
    });
    for (const [key, id] of this.walk(start, 1)) {
      const v = key[0];
      if (typeRank(v) !== rank) break;
      if (upper) {
        const c = this.compareValue(v, upper.value);
        if (c > 0 || (c === 0 && !upper.inclusive)) break;
      }
      stats.keys++;
      yield id;
    }
  }

  /**
   * Ids in key order (ascending or descending) among entries whose first fields equal `prefix`
   * (all entries for an empty prefix); multikey documents recur.
   */
  *ordered(direction: 1 | -1, prefix: unknown[] = []): Iterable<string> {
    const n = prefix.length;
    const samePrefix = (key: unknown[]): number => {
      for (let f = 0; f < n; f++) {
        const c = this.compareValue(key[f], prefix[f]);
        if (c !== 0) return c;
      }
      return 0;
    };
    const start = n === 0 ? (direction === 1 ? { c: 0, i: 0 } : { c: this.chunks.length, i: 0 }) : this.seek((e, doc) => this.compareEntry(e, doc, prefix) < (direction === 1 ? 0 : 1));
    for (const [key, id] of this.walk(start, direction)) {
      if (n > 0 && samePrefix(key) !== 0) return;
      yield id;
    }
  }

  /** Number of entries (documents, plus extra keys of multikey documents). */
  get entryCount(): number {
    return this.size;
  }
}

/** compareValues, answering the common key types (strings, dates, numbers) without its type dispatch. */
function compareKeyValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) {
    const x = a.getTime();
    const y = b.getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return a < b ? -1 : a > b ? 1 : 0;
  return compareValues(a, b);
}

