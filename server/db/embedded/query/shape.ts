/** Sorting and projection of result documents with MongoDB's rules. */
import { createQuery } from './mingo-context.js';
import { cloneDoc, compareValues, idFirst, isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';
import { pathValues } from '../storage/paths.js';

/**
 * Sorts by MongoDB's order: across BSON types by type rank; an array field sorts by its smallest
 * element ascending and its largest descending; a missing field sorts as null.
 */
export function sortDocs(docs: Doc[], sort: Doc | undefined): Doc[] {
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
  const keyed = docs.map((doc, i) => ({
    doc,
    i,
    keys: spec.map(([path, dir]) => sortKey(doc, path, dir as number)),
  }));
  keyed.sort((a, b) => {
    for (let k = 0; k < spec.length; k++) {
      const c = compareValues(a.keys[k], b.keys[k]);
      if (c !== 0) return (spec[k][1] as number) * c;
    }
    return a.i - b.i;
  });
  return keyed.map((k) => k.doc);
}

export function sortKey(doc: Doc, path: string, dir: number): unknown {
  const values = pathValues(doc, path);
  if (values.length === 0) return null;
  let best = values[0] ?? null;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] ?? null;
    const c = compareValues(v, best);
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
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  try {
    // mingo's exclusion projection deletes fields from nested objects of its input: give it copies,
    // never the stored documents. MongoDB also returns `_id` first.
    const projected = createQuery(positional ? (filter ?? {}) : {}).find(docs.map(cloneDoc), projection).all() as Doc[];
    return projected.map(idFirst);
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}
