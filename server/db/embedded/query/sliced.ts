/**
 * Yielding forms of the two steps that can run long over a whole collection: sorting and `$group`.
 * They give the same answers as `sortDocs` and mingo's `$group` (the same keys, the same order, the
 * same accumulator functions) but pause every few milliseconds (see storage/slices.ts).
 */
import { evalExpr } from 'mingo/core';
import * as accumulators from 'mingo/operators/accumulator';
import type { Options } from 'mingo/types';
import { canonicalKey, compareValues, hasNumberWrappers, isPlainObject, type Doc } from '../bson-values.js';
import type { Slicer } from '../storage/slices.js';
import { inMode, markWrappers, plainForMingo } from './arithmetic.js';
import type { Collation } from './collation.js';
import { mingoOptions } from './mingo-context.js';
import { sortDocs, sortKey } from './shape.js';
import { ACCUMULATORS_ON_TYPED_VALUES as TYPED_ACCUMULATORS } from './typed-values.js';

/** Below this many documents a sort is short enough to run in one go. */
const SMALL_SORT = 4096;

/** sortDocs, pausing between runs and during merges: sorted runs, then a stable bottom-up merge. */
export async function sortDocsSliced(docs: Doc[], sort: Doc | undefined, slicer: Slicer, collation?: Collation): Promise<Doc[]> {
  if (docs.length <= SMALL_SORT || !sort || !isPlainObject(sort) || Object.keys(sort).length === 0 || '$natural' in sort) return sortDocs(docs, sort, collation);
  const strings = collation?.compare;
  const spec = Object.entries(sort) as Array<[string, number]>;
  sortDocs(docs.slice(0, 1), sort); // validates the specification as the one-go sort does
  type Keyed = { doc: Doc; keys: unknown[] };
  const compare = (a: Keyed, b: Keyed): number => {
    for (let k = 0; k < spec.length; k++) {
      const c = compareValues(a.keys[k], b.keys[k], strings);
      if (c !== 0) return spec[k][1] * c;
    }
    return 0;
  };
  let runs: Keyed[][] = [];
  for (let start = 0; start < docs.length; start += SMALL_SORT) {
    const run = docs.slice(start, start + SMALL_SORT).map((doc) => ({ doc, keys: spec.map(([path, dir]) => sortKey(doc, path, dir, strings)) }));
    run.sort(compare); // stable: ties keep input order
    runs.push(run);
    await slicer.pause();
  }
  while (runs.length > 1) {
    const merged: Keyed[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = runs[r];
      const b = runs[r + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      const out: Keyed[] = new Array(a.length + b.length);
      let i = 0;
      let j = 0;
      let o = 0;
      while (i < a.length || j < b.length) {
        // Ties take the left run first: it holds the earlier input.
        out[o++] = j >= b.length || (i < a.length && compare(a[i], b[j]) <= 0) ? a[i++] : b[j++];
        const pause = slicer.tick();
        if (pause) await pause;
      }
      merged.push(out);
    }
    runs = merged;
  }
  return runs[0].map((k) => k.doc);
}

/** The documents of selected `[id, document]` entries, pausing as it goes (a whole collection is millions). */
export async function documentsSliced(entries: Array<[string, Doc]>, slicer: Slicer): Promise<Doc[]> {
  const out: Doc[] = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    out[i] = entries[i][1];
    const pause = slicer.tick();
    if (pause) await pause;
  }
  return out;
}

/**
 * For a `$field` expression naming one top-level field, a reader taking it straight off the document
 * (what evalExpr answers, without building its options for every document); undefined for others.
 */
function fieldReader(expr: unknown): ((doc: Doc) => unknown) | undefined {
  if (typeof expr !== 'string' || expr[0] !== '$' || expr[1] === '$') return undefined;
  const field = expr.slice(1);
  if (field === '' || field.includes('.')) return undefined;
  return (doc) => (Object.hasOwn(doc, field) ? doc[field] : undefined);
}

/**
 * The top-level fields of an `_id` made of `$field`s only (`{ province: '$province', status: '$status' }`), in its
 * order; undefined for any other expression.
 */
function plainFieldsOf(expr: unknown): string[] | undefined {
  if (!isPlainObject(expr)) return undefined;
  const names = Object.keys(expr);
  const fields: string[] = [];
  for (const name of names) {
    if (name.startsWith('$') || name.includes('.')) return undefined;
    const field = fieldReader(expr[name]) && (expr[name] as string).slice(1);
    if (!field) return undefined;
    fields.push(field);
  }
  return fields.length > 0 ? fields : undefined;
}

/**
 * The groups of an `_id` of plain fields, for documents whose values there are all strings, in nested maps keyed
 * by those strings: finding a document's group makes no key object, hash or deep comparison (a country-wide group
 * made millions of each, garbage whose collection held up the other clients). Equal strings make equal `_id`s, so
 * the group found here is the one the general path finds; a combination not seen yet takes the general path once.
 */
class GroupsByStrings {
  private readonly root = new Map<string, unknown>();

  constructor(private readonly fields: string[]) {}

  /** The group of a document seen before with the same strings; undefined for a new combination or a non-string. */
  get(doc: Doc): SlicedGroup | undefined {
    let node: unknown = this.root;
    for (const field of this.fields) {
      const v = doc[field];
      if (typeof v !== 'string') return undefined;
      node = (node as Map<string, unknown>).get(v);
      if (node === undefined) return undefined;
    }
    return node as SlicedGroup;
  }

  /** Remembers a document's group when its values are all strings. */
  set(doc: Doc, group: SlicedGroup): void {
    let node = this.root;
    for (let i = 0; i < this.fields.length; i++) {
      const v = doc[this.fields[i]];
      if (typeof v !== 'string') return;
      if (i === this.fields.length - 1) {
        node.set(v, group);
        return;
      }
      let next = node.get(v) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
  }
}

/** Accumulators that evaluate their expression on each document independently (values can be computed first). */
const PER_DOCUMENT = new Set(['$sum', '$avg', '$min', '$max', '$push', '$addToSet', '$stdDevPop', '$stdDevSamp']);

type Accumulator = (coll: Doc[], expr: unknown, options: Options) => unknown;

/** One group of a sliced `$group`: its `_id` as the first document gave it, and its documents. */
interface SlicedGroup {
  id: unknown;
  docs: Doc[];
}

/**
 * Accumulators whose result over a group is the same accumulator over its results for consecutive
 * parts of the group (sums of sums, least of least values, pushes one after another).
 */
const COMBINABLE = new Set(['$sum', '$min', '$max', '$push']);
/** Values an accumulator takes in one go: a country-wide group holds millions. */
const ACCUMULATE_CHUNK = 4096;

/** The accumulator over `{ v }` values, in parts with pauses between them when it combines. */
async function accumulateSliced(op: string, fn: Accumulator, values: Doc[], options: Options, slicer: Slicer): Promise<unknown> {
  if (!COMBINABLE.has(op) || values.length <= ACCUMULATE_CHUNK) return fn(values, '$v', options);
  const parts: unknown[] = [];
  for (let i = 0; i < values.length; i += ACCUMULATE_CHUNK) {
    parts.push(fn(values.slice(i, i + ACCUMULATE_CHUNK), '$v', options));
    await slicer.pause();
  }
  // $push gives an array per part: one after another; the others reduce their parts' results.
  if (op === '$push') return (parts as unknown[][]).flat();
  return fn(parts.map((v) => ({ v })), '$v', options);
}

/**
 * mingo's `$group`, pausing while it computes group keys and accumulator inputs: documents are
 * partitioned by their `_id` expression (as plain numbers, so 1 and NumberLong(1) are one key) in
 * the same hash map mingo uses, then each output field is the context's accumulator applied to the
 * group (`$sum`/`$avg` with MongoDB's result types), its per-document values computed in slices first.
 */
export async function groupSliced(docs: Iterable<Doc>, spec: Doc, variables: Doc | undefined, slicer: Slicer): Promise<Doc[] | undefined> {
  if (!isPlainObject(spec) || !('_id' in spec)) return undefined;
  const fields = Object.keys(spec).filter((k) => k !== '_id');
  for (const f of fields) {
    const acc = spec[f];
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1 || !(Object.keys(acc)[0] in accumulators)) return undefined;
  }
  const options = mingoOptions(variables ? { variables } : undefined);
  const partitions = new Map<string, SlicedGroup>();
  const groupBy = fieldReader(spec._id);
  const plainFields = plainFieldsOf(spec._id);
  const byStrings = plainFields && new GroupsByStrings(plainFields);
  for (const doc of docs) {
    let group = byStrings?.get(doc);
    if (!group) {
      // Keyed by MongoDB's equality (1 and NumberLong(1) are one group, {x, y} and {y, x} are two); the group's _id is
      // its first document's value, with its types.
      const id = groupBy ? groupBy(doc) : inMode(true, () => evalExpr(doc, spec._id, options));
      const key = canonicalKey(id);
      group = partitions.get(key);
      if (!group) {
        if (hasNumberWrappers(id)) markWrappers();
        group = { id: id ?? null, docs: [] };
        partitions.set(key, group);
      }
      byStrings?.set(doc, group);
    }
    group.docs.push(doc);
    const pause = slicer.tick();
    if (pause) await pause;
  }
  const out: Doc[] = [];
  for (const { id: groupId, docs: group } of partitions.values()) {
    const row: Doc = {};
    if (groupId !== undefined) row._id = groupId;
    for (const f of fields) {
      const [op, expr] = Object.entries(spec[f] as Doc)[0];
      const groupOptions = (options as unknown as { update(l: Doc): Options }).update({ root: null, groupId });
      const fn = TYPED_ACCUMULATORS[op] ?? (accumulators as unknown as Record<string, Accumulator>)[op];
      if (PER_DOCUMENT.has(op) && !(op === '$sum' && typeof expr === 'number') && expr !== null && expr !== undefined) {
        // A missing value counts for none of these: $push and $addToSet leave it out, the others ignore it.
        const values: Doc[] = [];
        // The typed accumulators ($sum, $avg, ...) compute with the values' types; mingo's take plain numbers.
        const typed = op in TYPED_ACCUMULATORS;
        const evaluate = (root: Doc): unknown => {
          const rootOptions = (groupOptions as unknown as { update(l: Doc): Options }).update({ root });
          return typed ? inMode(true, () => evalExpr(root, expr, rootOptions)) : evalExpr(root, expr, rootOptions);
        };
        const read = fieldReader(expr) ?? evaluate;
        for (let i = 0; i < group.length; i++) {
          const computed = read(group[i]);
          const v = typed ? computed : plainForMingo(computed);
          if (v !== undefined) values.push({ v });
          const pause = slicer.tick();
          if (pause) await pause;
        }
        row[f] = await accumulateSliced(op, fn, values, (groupOptions as unknown as { update(l: Doc): Options }).update({ root: null }), slicer);
      } else {
        // Called directly: through evalExpr, mingo would take the expression operator of the same name ($first...).
        row[f] = TYPED_ACCUMULATORS[op] ? fn(group, expr, groupOptions) : evalExpr(group, spec[f], groupOptions);
      }
      await slicer.pause();
    }
    out.push(row);
  }
  return out;
}
