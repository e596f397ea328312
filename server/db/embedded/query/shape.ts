/** Sorting and projection of result documents with MongoDB's rules. */
import { createQuery } from './mingo-context.js';
import { cloneDoc, compareValues, idFirst, isPlainObject, plainNumbers, type Doc } from '../bson-values.js';
import { beginAggregation, inMode, markWrappers } from './arithmetic.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';
import { pathValues } from '../storage/paths.js';
import type { Collation } from './collation.js';

/**
 * Sorts by MongoDB's order: across BSON types by type rank; an array field sorts by its smallest
 * element ascending and its largest descending; a missing field sorts as null.
 */
export function sortDocs(docs: Doc[], sort: Doc | undefined, collation?: Collation): Doc[] {
  if (!sort || !isPlainObject(sort)) return docs;
  const spec = Object.entries(sort);
  if (spec.length === 0) return docs;
  for (const [, dir] of spec) {
    if (isPlainObject(dir)) {
      if (dir.$meta === 'textScore') fail(ErrorCodes.NotImplemented, 'text search ($meta: "textScore") is not supported by the embedded server');
      fail(ErrorCodes.BadValue, `Invalid sort specification ${JSON.stringify(dir)}`);
    }
    if (dir !== 1 && dir !== -1) fail(ErrorCodes.BadValue, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
  }
  if (spec.length === 1 && spec[0][0] === '$natural') return spec[0][1] === -1 ? docs.slice().reverse() : docs;
  const strings = collation?.compare;
  const keyed = docs.map((doc, i) => ({
    doc,
    i,
    keys: spec.map(([path, dir]) => sortKey(doc, path, dir as number, strings)),
  }));
  keyed.sort((a, b) => {
    for (let k = 0; k < spec.length; k++) {
      const c = compareValues(a.keys[k], b.keys[k], strings);
      if (c !== 0) return (spec[k][1] as number) * c;
    }
    return a.i - b.i;
  });
  return keyed.map((k) => k.doc);
}

export function sortKey(doc: Doc, path: string, dir: number, strings?: (a: string, b: string) => number): unknown {
  const values = pathValues(doc, path);
  if (values.length === 0) return null;
  let best = values[0] ?? null;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] ?? null;
    const c = compareValues(v, best, strings);
    if ((dir === 1 && c < 0) || (dir === -1 && c > 0)) best = v;
  }
  return best;
}

/** Applies a find-style projection (inclusion, exclusion, $slice, $elemMatch, positional $). */
export function projectDocs(docs: Doc[], projection: Doc | undefined, filter: Doc | undefined): Doc[] {
  if (!projection || !isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
  for (const [k, v] of Object.entries(projection)) {
    if (isPlainObject(v) && '$meta' in v) fail(ErrorCodes.NotImplemented, `projection $meta is not supported by the embedded server`);
    if (k.startsWith('$')) fail(ErrorCodes.BadValue, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
  }
  // $slice is neither inclusion nor exclusion, and $elemMatch picks one element: both are applied
  // here after the rest of the projection, which mingo does.
  const slices: Array<[string, unknown]> = [];
  const elemMatches: Array<[string, Doc]> = [];
  const rest: Doc = {};
  for (const [k, v] of Object.entries(projection)) {
    if (isPlainObject(v) && Object.keys(v).length === 1 && '$slice' in v) slices.push([k, v.$slice]);
    else if (isPlainObject(v) && Object.keys(v).length === 1 && '$elemMatch' in v && !k.includes('.')) elemMatches.push([k, v.$elemMatch]);
    else rest[k] = v;
  }
  const restFields = Object.entries(rest).filter(([k]) => k !== '_id');
  const inclusion = restFields.some(([, v]) => !(v === 0 || v === false)) || (restFields.length === 0 && elemMatches.length > 0 && slices.length === 0);
  if (inclusion) for (const [k] of [...slices, ...elemMatches]) rest[k] = 1;
  const positional = Object.keys(rest).some((k) => k.endsWith('.$'));
  const matchers = elemMatches.map(([k, spec]) => [k, elementMatcher(spec)] as const);
  try {
    // mingo's exclusion projection deletes fields from nested objects of its input: give it copies,
    // never the stored documents. MongoDB also returns `_id` first.
    const project = () => createQuery(positional ? (filter ?? {}) : {}).find(docs.map(cloneDoc), rest).all() as Doc[];
    const projected = Object.keys(rest).length === 0 ? docs.map(cloneDoc) : computesValues(rest) ? computed(docs, project) : project();
    for (let i = 0; i < projected.length; i++) {
      const out = projected[i];
      for (const [path, spec] of slices) applySlice(out, path.split('.'), spec);
      for (const [field, matches] of matchers) {
        const source = docs[i][field];
        const found = Array.isArray(source) ? source.find(matches) : undefined;
        if (found === undefined) delete out[field];
        else out[field] = [cloneDoc(found)];
      }
    }
    return projected.map(idFirst);
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}

/** Whether a projection computes fields with aggregation expressions (`{ x: { $toDecimal: '$a' } }`, `{ x: '$a' }`). */
function computesValues(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('$');
  if (Array.isArray(v)) return true;
  if (!isPlainObject(v)) return false;
  return Object.entries(v).some(([k, x]) => k.startsWith('$') || computesValues(x));
}

/** A projection computing fields, as in a pipeline's `$project`: its results have MongoDB's number types (see arithmetic.ts). */
function computed(docs: Doc[], project: () => Doc[]): Doc[] {
  const end = beginAggregation();
  try {
    if (docs.some((d) => plainNumbers(d) !== d)) markWrappers();
    return inMode(true, project);
  } finally {
    end();
  }
}

/** A $elemMatch projection's test of one element: a query on a document, or operators on a value. */
function elementMatcher(spec: Doc): (el: unknown) => boolean {
  if (!isPlainObject(spec)) fail(ErrorCodes.BadValue, '$elemMatch needs an Object');
  const keys = Object.keys(spec);
  const operatorsOnly = keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
  if (operatorsOnly) {
    const q = createQuery({ v: spec });
    return (el) => q.test({ v: el });
  }
  const q = createQuery(spec);
  return (el) => isPlainObject(el) && q.test(el);
}

function applySlice(doc: unknown, parts: string[], spec: unknown): void {
  if (Array.isArray(doc)) {
    for (const el of doc) applySlice(el, parts, spec);
    return;
  }
  if (!isPlainObject(doc)) return;
  const [head, ...tail] = parts;
  if (tail.length > 0) {
    applySlice(doc[head], tail, spec);
    return;
  }
  const value = doc[head];
  if (!Array.isArray(value)) return;
  let skip: number;
  let limit: number;
  if (Array.isArray(spec)) {
    if (spec.length !== 2 || typeof spec[0] !== 'number' || typeof spec[1] !== 'number') fail(ErrorCodes.BadValue, '$slice takes a number or an array of two numbers');
    if (spec[1] <= 0) fail(ErrorCodes.BadValue, `$slice limit must be positive`);
    skip = spec[0] < 0 ? Math.max(0, value.length + spec[0]) : spec[0];
    limit = spec[1];
  } else {
    if (typeof spec !== 'number') fail(ErrorCodes.BadValue, '$slice takes a number or an array of two numbers');
    skip = spec < 0 ? Math.max(0, value.length + spec) : 0;
    limit = Math.abs(spec);
  }
  doc[head] = value.slice(skip, skip + limit);
}
