/**
 * A secondary index: exact-key hash map for equality lookups and unique checks, plus a lazily
 * sorted list of distinct keys for range scans on the leading field.
 */
import { Query } from 'mingo';
import { compareValues, typeRank, type Doc } from '../bson-values.js';
import { collationKeyEncoder } from '../query/collation.js';
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

interface Entry {
  values: unknown[];
  /** One id as a plain string (the common case, and the only one for unique indexes), or a set. */
  ids: string | Set<string>;
  removed: boolean;
}

function* idsOf(entry: Entry): Iterable<string> {
  if (typeof entry.ids === 'string') yield entry.ids;
  else yield* entry.ids;
}

export interface RangeBound {
  value: unknown;
  inclusive: boolean;
}

export class Index {
  readonly spec: IndexSpec;
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly partial?: Query;
  /** Key encoding: canonical values, or equality classes under the index's collation. */
  private readonly encode: (v: unknown) => string;
  private readonly entries = new Map<string, Entry>();
  /** Distinct keys in ascending order; rebuilt when keys arrive out of order. */
  private sorted: Entry[] = [];
  private sortedDirty = false;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    if (spec.partialFilterExpression) this.partial = new Query(spec.partialFilterExpression);
    this.encode = collationKeyEncoder(spec.collation);
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

  /** Distinct key strings of a document, with the tuple each stands for. */
  keyMap(doc: Doc): Map<string, unknown[]> {
    const out = new Map<string, unknown[]>();
    if (this.fields.length === 1 && !this.partial) {
      // Fast path for the common single-field index.
      const vals = pathValues(doc, this.paths[0]);
      if (vals.length === 0) {
        if (!this.spec.sparse) out.set('N', [null]);
        return out;
      }
      for (const v of vals) out.set(this.encode(v), [v === undefined ? null : v]);
      return out;
    }
    for (const t of this.keysOf(doc)) out.set(this.keyString(t), t);
    return out;
  }

  /** The id of another document already holding one of these keys, if any (unique indexes). */
  findDuplicate(keys: Map<string, unknown[]>, selfId: string): { id: string; values: unknown[] } | undefined {
    for (const [ks, values] of keys) {
      const entry = this.entries.get(ks);
      if (!entry) continue;
      for (const id of idsOf(entry)) if (id !== selfId) return { id, values };
    }
    return undefined;
  }

  add(id: string, keys: Map<string, unknown[]>): void {
    for (const [ks, values] of keys) {
      const entry = this.entries.get(ks);
      if (!entry) {
        const created: Entry = { values, ids: id, removed: false };
        this.entries.set(ks, created);
        const last = this.sorted[this.sorted.length - 1];
        if (!this.sortedDirty && (!last || compareTuples(last.values, values) < 0)) this.sorted.push(created);
        else this.sortedDirty = true;
      } else if (typeof entry.ids === 'string') {
        if (entry.ids !== id) entry.ids = new Set([entry.ids, id]);
      } else {
        entry.ids.add(id);
      }
    }
  }

  remove(id: string, keys: Map<string, unknown[]>): void {
    for (const ks of keys.keys()) {
      const entry = this.entries.get(ks);
      if (!entry) continue;
      if (typeof entry.ids === 'string') {
        if (entry.ids === id) entry.ids = new Set();
      } else {
        entry.ids.delete(id);
      }
      if (typeof entry.ids !== 'string' && entry.ids.size === 0) {
        entry.removed = true;
        this.entries.delete(ks);
      }
    }
  }

  /** Ids whose key equals the tuple exactly. */
  lookup(values: unknown[]): Iterable<string> {
    const entry = this.entries.get(this.keyString(values));
    return entry ? idsOf(entry) : [];
  }

  /**
   * Ids whose leading key lies within the bounds, staying inside the bound's BSON type bracket as
   * MongoDB's comparison operators do. Also reports how many keys were examined.
   */
  *scanLeading(lower: RangeBound | undefined, upper: RangeBound | undefined, stats: { keys: number }): Iterable<string> {
    const sorted = this.sortedEntries();
    const rank = typeRank((lower ?? upper)!.value);
    let lo = 0;
    let hi = sorted.length;
    // First entry not before the lower bound (or the start of the type bracket).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = sorted[mid].values[0];
      const before = lower
        ? (() => {
            const c = compareValues(v, lower.value);
            return c < 0 || (c === 0 && !lower.inclusive);
          })()
        : typeRank(v) < rank;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length; i++) {
      const entry = sorted[i];
      const v = entry.values[0];
      if (typeRank(v) !== rank) break;
      if (upper) {
        const c = compareValues(v, upper.value);
        if (c > 0 || (c === 0 && !upper.inclusive)) break;
      }
      stats.keys++;
      if (entry.removed) continue;
      yield* idsOf(entry);
    }
  }

  /** Every indexed id in key order (ascending or descending); multikey documents recur. */
  *ordered(direction: 1 | -1): Iterable<string> {
    const sorted = this.sortedEntries();
    if (direction === 1) {
      for (const entry of sorted) if (!entry.removed) yield* idsOf(entry);
    } else {
      for (let i = sorted.length - 1; i >= 0; i--) if (!sorted[i].removed) yield* idsOf(sorted[i]);
    }
  }

  private sortedEntries(): Entry[] {
    if (this.sortedDirty || this.sorted.length > this.entries.size * 2 + 64) {
      this.sorted = [...this.entries.values()].sort((a, b) => compareTuples(a.values, b.values));
      this.sortedDirty = false;
    }
    return this.sorted;
  }
}

function compareTuples(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
