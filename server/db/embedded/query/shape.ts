/** Sorting and projection of result documents with MongoDB's rules. */
import { createQuery } from './mingo-context.js';
import { cloneDoc, compareValues, idFirst, isPlainObject, plainNumbers, toNumber, type Doc } from '../bson-values.js';
import { beginAggregation, inMode, markWrappers } from './arithmetic.js';
import { asServerError, ErrorCodes, fail } from '../errors.js';
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
  // MongoDB's sort pattern parser: anything but a number is an illegal key (15974), a number other than 1 or -1 a bad order (15975).
  for (const [key, dir] of spec) {
    if (isPlainObject(dir) && dir.$meta === 'textScore') fail(ErrorCodes.NotImplemented, 'text search ($meta: "textScore") is not supported by the embedded server');
    if (typeof dir === 'boolean' || Number.isNaN(toNumber(dir))) fail(15974, `Illegal key in $sort specification: ${key}: ${JSON.stringify(dir)}`);
    if (dir !== 1 && dir !== -1) fail(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
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

/**
 * Refuses a find projection MongoDB's parser refuses, with its codes: a path given twice or inside
 * another (31250 when the later one is the shorter or equal path, 31249 when it runs through an
 * earlier one), an inclusion in an exclusion projection (31253) or the reverse (31254), an
 * expression (31252) or a literal (31310) in an exclusion. `_id` at the top level may go either
 * way; `$slice` and `$elemMatch` are neither inclusion nor exclusion.
 */
export function checkProjection(projection: unknown, stage?: '$project'): 'inclusion' | 'exclusion' | undefined {
  if (!isPlainObject(projection)) return undefined;
  // In a pipeline `$slice` and `$elemMatch` are expressions like any other; MongoDB names the stage.
  const refuse = (code: number, message: string): never => fail(code, stage ? `Invalid ${stage} :: caused by :: ${message}` : message);
  type Node = Map<string, Node | 'leaf'>;
  const root: Node = new Map();
  let type: 'inclusion' | 'exclusion' | undefined;
  const addPath = (parent: Node, path: string) => {
    const parts = path.split('.');
    let node = parent;
    for (let i = 0; i < parts.length; i++) {
      const child = node.get(parts[i]);
      if (i === parts.length - 1) {
        if (child) refuse(31250, `Path collision at ${path}`);
        node.set(parts[i], 'leaf');
        return;
      }
      if (child === 'leaf') refuse(31249, `Path collision at ${path} remaining portion ${parts.slice(i + 1).join('.')}`);
      else if (child) node = child;
      else {
        const inner: Node = new Map();
        node.set(parts[i], inner);
        node = inner;
      }
    }
  };
  const visit = (spec: Doc, parent: Node, atRoot: boolean) => {
    for (const [k, v] of Object.entries(spec)) {
      const positional = k.endsWith('.$') ? k.slice(0, -2) : k;
      const topLevelId = atRoot && k === '_id';
      if (isPlainObject(v)) {
        const first = Object.keys(v)[0];
        if (Object.keys(v).length === 1 && first.startsWith('$')) {
          addPath(parent, k);
          if ((!stage && (first === '$slice' || first === '$elemMatch')) || first === '$meta') continue;
          if (type === 'exclusion') refuse(31252, 'Cannot use expression other than $meta in exclusion projection');
          type = 'inclusion';
          continue;
        }
        const inner: Node = new Map();
        if (parent.has(k)) refuse(31250, `Path collision at ${k}`);
        parent.set(k, inner);
        visit(v, inner, false);
        continue;
      }
      if (typeof v === 'boolean' || !Number.isNaN(toNumber(v))) {
        addPath(parent, positional);
        if (topLevelId) continue;
        const including = v !== false && toNumber(v) !== 0;
        if (including && type === 'exclusion') refuse(31253, `Cannot do inclusion on field ${k} in exclusion projection`);
        if (!including && type === 'inclusion') refuse(31254, `Cannot do exclusion on field ${k} in inclusion projection`);
        type = including ? 'inclusion' : 'exclusion';
        continue;
      }
      addPath(parent, k);
      if (type === 'exclusion') refuse(31310, `Cannot use an expression ${k}: ${JSON.stringify(v)} in an exclusion projection`);
      type = 'inclusion';
    }
  };
  visit(projection, root, true);
  return type;
}

/** An exclusion projection without an `_id: 1` (every exclusion keeps `_id`; mingo would see a mix). */
export function withoutIdInclusion(projection: Doc, type: 'inclusion' | 'exclusion' | undefined): Doc {
  if (type !== 'exclusion' || !('_id' in projection) || projection._id === false || toNumber(projection._id) === 0) return projection;
  const { _id: _kept, ...rest } = projection;
  return rest;
}

/** Applies a find-style projection (inclusion, exclusion, $slice, $elemMatch, positional $). */
export function projectDocs(docs: Doc[], projection: Doc | undefined, filter: Doc | undefined): Doc[] {
  if (!projection || !isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
  projection = withoutIdInclusion(projection, checkProjection(projection));
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
    const positionalPaths = Object.keys(rest).filter((k) => k.endsWith('.$')).map((k) => k.slice(0, -2).split('.'));
    for (let i = 0; i < projected.length; i++) {
      const out = projected[i];
      for (const path of positionalPaths) checkPositionalFound(docs[i], out, path);
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
    throw asServerError(err);
  }
}

/** The value at a dotted path of plain sub-documents (no array traversal). */
function valueAt(doc: unknown, path: string[]): unknown {
  let v = doc;
  for (const part of path) v = isPlainObject(v) ? v[part] : undefined;
  return v;
}

/**
 * A positional projection of an array the query did not pick an element of (no condition on it, e.g. an empty
 * filter) is an error on MongoDB (51246), where mingo returns `[null]`.
 */
function checkPositionalFound(source: Doc, out: Doc, path: string[]): void {
  const array = valueAt(source, path);
  if (!Array.isArray(array)) return;
  const picked = valueAt(out, path);
  // mingo answers a null element when it found none; a real null element is one the array holds.
  const found = Array.isArray(picked) && picked.length === 1 && picked[0] !== undefined && (picked[0] !== null || array.includes(null));
  if (!found) fail(51246, "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array");
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
