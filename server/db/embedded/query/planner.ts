/**
 * Picks how to find candidate documents for a filter: the `_id` map, an index's exact-key hash
 * (equality on every indexed field), a range scan on an index's leading field, or a collection
 * scan. Candidates are a superset; the full filter is always re-checked on each document.
 */
import { canonicalKey, isPlainObject, typeRank, type Doc } from '../bson-values.js';
import type { Collection } from '../storage/collection.js';
import type { Index, RangeBound } from '../storage/index-structure.js';
import type { Collation } from './collation.js';

export interface Plan {
  stage: 'IDHACK' | 'IXSCAN' | 'COLLSCAN';
  indexName?: string;
  /** Candidate ids, or undefined for a full scan. */
  ids?: Iterable<string>;
  /** Exact-key lookups (`_id` or every field of an index pinned): few candidates, no walk can beat it. */
  exact?: boolean;
  stats: { keys: number };
}

interface FieldCondition {
  eq?: unknown[]; // one value, or several for $in
  lower?: RangeBound;
  upper?: RangeBound;
}

/** Values that an index stores under their own key (arrays, null, regexes need a scan). */
function indexable(v: unknown): boolean {
  if (v === null || v === undefined || Array.isArray(v) || v instanceof RegExp) return false;
  if (isPlainObject(v)) return Object.keys(v).every((k) => !k.startsWith('$'));
  return true;
}

/** Equality and range conditions on top-level paths (including those inside a top-level $and). */
function conditions(filter: Doc, out = new Map<string, FieldCondition>()): Map<string, FieldCondition> {
  for (const [path, cond] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) conditions(sub, out);
      continue;
    }
    if (path.startsWith('$')) continue;
    const fc = out.get(path) ?? {};
    if (isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) {
      const ops = Object.keys(cond);
      // Other operators (e.g. $not, $elemMatch) are still checked by the filter; bounds stay a superset.
      if (ops.includes('$eq') && indexable(cond.$eq)) fc.eq = [cond.$eq];
      if (ops.includes('$in') && Array.isArray(cond.$in) && cond.$in.every(indexable)) fc.eq = cond.$in;
      if ('$gt' in cond && indexable(cond.$gt)) fc.lower = { value: cond.$gt, inclusive: false };
      if ('$gte' in cond && indexable(cond.$gte)) fc.lower = { value: cond.$gte, inclusive: true };
      if ('$lt' in cond && indexable(cond.$lt)) fc.upper = { value: cond.$lt, inclusive: false };
      if ('$lte' in cond && indexable(cond.$lte)) fc.upper = { value: cond.$lte, inclusive: true };
      if (fc.lower && fc.upper && typeRank(fc.lower.value) !== typeRank(fc.upper.value)) {
        fc.upper = undefined;
      }
    } else if (indexable(cond)) {
      fc.eq = [cond];
    }
    out.set(path, fc);
  }
  return out;
}

/** Whether a value holds a string anywhere (its order and equality depend on the collation). */
function hasString(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (Array.isArray(v)) return v.some(hasString);
  return isPlainObject(v) && Object.values(v).some(hasString);
}

/** Whether an index orders strings as the query compares them (both simple, or the same collation). */
function sameCollationAs(index: Index, collation: Collation | undefined): boolean {
  return canonicalKey(index.spec.collation ?? null) === canonicalKey(collation?.spec ?? null);
}

/**
 * The conditions an index can answer: all of them when it orders strings as the query compares
 * them; otherwise only bounds without strings (MongoDB's rule: an index with another collation
 * still serves numbers, dates and the like, never string comparisons).
 */
function conditionFor(fc: FieldCondition | undefined, sameCollation: boolean): FieldCondition | undefined {
  if (!fc || sameCollation) return fc;
  const out: FieldCondition = {};
  if (fc.eq && !fc.eq.some(hasString)) out.eq = fc.eq;
  if (fc.lower && !hasString(fc.lower.value)) out.lower = fc.lower;
  if (fc.upper && !hasString(fc.upper.value)) out.upper = fc.upper;
  return out;
}

/** `collation`: the query's (undefined for simple), which decides the indexes usable for strings. */
export function planQuery(coll: Collection, filter: Doc, collation?: Collation): Plan {
  const stats = { keys: 0 };
  const conds = conditions(filter);
  const idCond = conds.get('_id');
  if (idCond?.eq && (!collation || !idCond.eq.some(hasString))) {
    const ids = idCond.eq.map((v) => canonicalKey(v));
    stats.keys = ids.length;
    return { stage: 'IDHACK', ids, stats, exact: true };
  }
  let best: { index: Index; score: number; ids: () => Iterable<string> } | undefined;
  for (const index of coll.indexes.values()) {
    if (index.spec.partialFilterExpression) continue;
    const same = sameCollationAs(index, collation);
    const fcs = index.fields.map((f) => conditionFor(conds.get(f), same));
    if (fcs.every((fc) => fc?.eq)) {
      const eqs = fcs.map((fc) => fc!.eq!);
      // All fields pinned: exact-key lookups (cartesian product of any $in lists).
      let tuples: unknown[][] = [[]];
      for (const vals of eqs) tuples = tuples.flatMap((t) => vals.map((v) => [...t, v]));
      const score = 3 + index.fields.length;
      if (!best || score > best.score) {
        best = {
          index,
          score,
          ids: () => {
            const out = new Set<string>();
            for (const t of tuples) {
              stats.keys++;
              for (const id of index.lookup(t)) out.add(id);
            }
            return out;
          },
        };
      }
      continue;
    }
    // Leading fields pinned to one value each: the walk stays among their entries, so the index
    // pinning the most of them reads the fewest ({ province, status } beats { province, dedupeKey }
    // for a filter on both). Scores stay between a range scan's 1 and an exact lookup's 3 and more
    // (an index has at most 32 fields).
    let pinned = 0;
    while (pinned < fcs.length && fcs[pinned]?.eq?.length === 1) pinned++;
    const lead = fcs[0];
    if (pinned > 0) {
      const prefix = fcs.slice(0, pinned).map((fc) => fc!.eq![0]);
      const score = 2 + pinned / 64;
      if (!best || best.score < score) best = { index, score, ids: () => dedupe(counted(index.ordered(1, prefix), stats)) };
    } else if (lead && (lead.lower || lead.upper)) {
      // On a multikey index one element may satisfy the lower bound and another the upper one
      // ({ a: [1, 10] } matches { $gt: 3, $lt: 6 }), so MongoDB scans with one bound only.
      const upper = index.multikey && lead.lower ? undefined : lead.upper;
      if (!best || best.score < 1) best = { index, score: 1, ids: () => dedupe(index.scanLeading(lead.lower, upper, stats)) };
    }
  }
  if (best) return { stage: 'IXSCAN', indexName: best.index.name, ids: best.ids(), stats, exact: best.score >= 3 };
  return { stage: 'COLLSCAN', stats };
}

/** An index walk that yields a query's candidates already in the requested sort order. */
export interface SortWalk {
  index: Index;
  direction: 1 | -1;
  /** Values of the index's leading fields that the filter pins by equality: the walk stays among them. */
  prefix: unknown[];
}

/**
 * An index whose leading fields are pinned by the filter's equalities and whose next fields are the
 * sort keys (the pinned ones may also appear in the sort: they are constant), all ascending or all
 * descending (keys are kept in ascending order). Sparse and partial indexes leave documents out, and
 * multikey ones order a document by each of its keys, so neither can serve a sort. Prefers the index
 * with the most pinned fields.
 */
export function sortWalk(coll: Collection, filter: Doc, sort: Doc, collation?: Collation): SortWalk | undefined {
  const conds = conditions(filter);
  const pinned = (f: string): boolean => conds.get(f)?.eq?.length === 1;
  let best: SortWalk | undefined;
  for (const index of coll.indexes.values()) {
    // The walk's order is the index's: its collation must be the query's (strings may be sorted).
    if (index.spec.sparse || index.spec.partialFilterExpression || !sameCollationAs(index, collation) || index.multikey) continue;
    let k = 0;
    while (k < index.fields.length && pinned(index.fields[k])) k++;
    const lead = new Set(index.fields.slice(0, k));
    const rest = Object.entries(sort).filter(([key]) => !lead.has(key));
    if (rest.some(([, d]) => d !== rest[0][1]) || (rest.length > 0 && rest[0][1] !== 1 && rest[0][1] !== -1)) continue;
    if (rest.length === 0 && k === 0) continue;
    if (rest.some(([key], i) => index.fields[k + i] !== key)) continue;
    if (best && best.prefix.length >= k) continue;
    const prefix = index.fields.slice(0, k).map((f) => conds.get(f)!.eq![0]);
    best = { index, direction: rest.length ? (rest[0][1] as 1 | -1) : 1, prefix };
  }
  return best;
}

/** The ids of an index walk, counting each key examined. */
function* counted(ids: Iterable<string>, stats: { keys: number }): Iterable<string> {
  for (const id of ids) {
    stats.keys++;
    yield id;
  }
}

function* dedupe(ids: Iterable<string>): Iterable<string> {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    yield id;
  }
}

