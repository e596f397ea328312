/**
 * Filter matching through mingo, with MongoDB's behaviour enforced at the boundary: operators the
 * server does not support answer a clear error instead of being silently misread.
 */
import { createAggregator, createQuery } from './mingo-context.js';
import { isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';

const UNSUPPORTED_QUERY_OPERATORS: Record<string, string> = {
  $text: 'text search ($text) is not supported by the embedded server',
  $near: 'geospatial queries ($near) are not supported by the embedded server',
  $nearSphere: 'geospatial queries ($nearSphere) are not supported by the embedded server',
  $geoWithin: 'geospatial queries ($geoWithin) are not supported by the embedded server',
  $geoIntersects: 'geospatial queries ($geoIntersects) are not supported by the embedded server',
  $where: '$where is not supported by the embedded server',
};

function checkOperators(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkOperators(v);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const message = UNSUPPORTED_QUERY_OPERATORS[k];
    if (message) fail(ErrorCodes.NotImplemented, message);
    checkOperators(v);
  }
}

export type Matcher = (doc: Doc) => boolean;

const LOGICAL = new Set(['$and', '$or', '$nor']);

/**
 * Rewrites the few filter forms where mingo answers differently from MongoDB:
 * - `$type` also matches array elements of that type (`{ a: [1] }` has `$type: 'number'`);
 * - `$gte: null` / `$lte: null` match missing fields as well as nulls, like `$eq: null`.
 */
export function normalizeFilter(filter: Doc): Doc {
  const out: Doc = {};
  const extra: Doc[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (LOGICAL.has(key) && Array.isArray(cond)) {
      out[key] = cond.map((c) => (isPlainObject(c) ? normalizeFilter(c) : c));
      continue;
    }
    if (key.startsWith('$') || !isPlainObject(cond) || !Object.keys(cond).some((k) => k.startsWith('$'))) {
      out[key] = cond;
      continue;
    }
    const ops: Doc = { ...cond };
    for (const op of ['$gte', '$lte']) {
      if (op in ops && ops[op] === null) {
        delete ops[op];
        ops.$eq = null;
      }
    }
    if ('$type' in ops && ops.$type !== 'array' && ops.$type !== 4) {
      const type = ops.$type;
      delete ops.$type;
      extra.push({ $or: [{ [key]: { $type: type } }, { [key]: { $elemMatch: { $type: type } } }] });
    }
    if (Object.keys(ops).length > 0) out[key] = ops;
  }
  if (extra.length === 0) return out;
  return { $and: [out, ...extra] };
}

export function compileFilter(filter: Doc | undefined, variables?: Doc): Matcher {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) fail(ErrorCodes.TypeMismatch, 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  checkOperators(filter);
  try {
    const query = createQuery(normalizeFilter(filter), variables);
    return (doc) => query.test(doc);
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}

/** `let` variables are expressions evaluated once per command (so `{ $literal: 'x' }` becomes 'x'). */
export function evaluateLet(vars: Doc): Doc {
  for (const k of Object.keys(vars)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(k)) fail(ErrorCodes.FailedToParse, `'${k}' starts with an invalid character for a user variable name`);
  }
  try {
    return createAggregator([{ $addFields: { v: vars } }]).run([{}])[0].v as Doc;
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}
