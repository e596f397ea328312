/**
 * Filter matching through mingo, with MongoDB's behaviour enforced at the boundary: operators the
 * server does not support answer a clear error instead of being silently misread.
 */
import { Aggregator, Query } from 'mingo';
import { compareValues, isPlainObject, typeRank, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';
import type { Collation } from './collation.js';

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

export function compileFilter(filter: Doc | undefined, variables?: Doc, collation?: Collation): Matcher {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) fail(ErrorCodes.TypeMismatch, 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  checkOperators(filter);
  if (collation && containsString(filter)) return compileCollated(filter, variables, collation);
  return mingoMatcher(filter, variables);
}

function mingoMatcher(filter: Doc, variables?: Doc): Matcher {
  try {
    const query = new Query(normalizeFilter(filter), variables ? { variables } : undefined);
    return (doc) => query.test(doc);
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}

function containsString(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (Array.isArray(v)) return v.some(containsString);
  return isPlainObject(v) && Object.values(v).some(containsString);
}

/** Operators whose string operands compare under the collation. */
const COLLATED_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$elemMatch', '$not']);

/**
 * A filter matched under a collation: comparisons of strings (equality, ranges, `$in`, `$all`,
 * `$elemMatch`, also nested in `$and`/`$or`/`$nor`) use it; conditions without strings, and
 * operators that never compare strings (`$regex`, `$exists`, `$type`, `$size`...) go to mingo.
 */
function compileCollated(filter: Doc, variables: Doc | undefined, collation: Collation): Matcher {
  const cmp = (a: unknown, b: unknown) => compareValues(a, b, collation.compare);
  const parts: Matcher[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(cond)) {
      const subs = cond.map((c) => compileFilter(c as Doc, variables, collation));
      if (key === '$and') parts.push((d) => subs.every((m) => m(d)));
      else if (key === '$or') parts.push((d) => subs.some((m) => m(d)));
      else parts.push((d) => !subs.some((m) => m(d)));
      continue;
    }
    if (key === '$expr') fail(ErrorCodes.NotImplemented, '$expr with a non-simple collation is not supported by the embedded server');
    if (key.startsWith('$') || !containsString(cond)) {
      parts.push(mingoMatcher({ [key]: cond }, variables));
      continue;
    }
    const test = fieldTest(cond, cmp, variables, collation);
    const path = key.split('.');
    parts.push((d) => test(candidates(d, path)));
  }
  return (doc) => parts.every((m) => m(doc));
}

/** A condition on the values a path reaches (see candidates). */
type FieldTest = (values: Reached) => boolean;

interface Reached {
  /** What the path reaches, arrays as they are. */
  values: unknown[];
  /** Those values plus the elements of the arrays among them: what equality and ranges look at. */
  flat: unknown[];
}

function candidates(doc: unknown, path: string[]): Reached {
  const values: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === path.length) {
      values.push(v);
      return;
    }
    if (Array.isArray(v)) {
      if (/^\d+$/.test(path[i])) walk(v[Number(path[i])], i + 1);
      for (const el of v) if (isPlainObject(el)) walk(el, i);
      return;
    }
    if (!isPlainObject(v)) return;
    walk(v[path[i]], i + 1);
  };
  walk(doc, 0);
  const flat: unknown[] = [];
  for (const v of values) {
    flat.push(v);
    if (Array.isArray(v)) flat.push(...v);
  }
  return { values, flat };
}

function isOperatorObject(v: unknown): v is Doc {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
}

function fieldTest(cond: unknown, cmp: (a: unknown, b: unknown) => number, variables: Doc | undefined, collation: Collation): FieldTest {
  const equals = (target: unknown) => (r: Reached) => r.flat.some((v) => v !== undefined && cmp(v, target) === 0);
  if (!isOperatorObject(cond)) return equals(cond);
  const tests: FieldTest[] = [];
  const rest: Doc = {};
  for (const [op, arg] of Object.entries(cond)) {
    if (!COLLATED_OPERATORS.has(op) || !containsString(arg) || (op === '$not' && !isPlainObject(arg))) {
      rest[op] = arg;
      continue;
    }
    switch (op) {
      case '$eq':
        tests.push(equals(arg));
        break;
      case '$ne': {
        const eq = equals(arg);
        tests.push((r) => !eq(r));
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const ok = op === '$gt' ? (c: number) => c > 0 : op === '$gte' ? (c: number) => c >= 0 : op === '$lt' ? (c: number) => c < 0 : (c: number) => c <= 0;
        // Ranges stay within the operand's BSON type bracket.
        tests.push((r) => r.flat.some((v) => typeRank(v) === typeRank(arg) && ok(cmp(v, arg))));
        break;
      }
      case '$in':
      case '$nin': {
        if (!Array.isArray(arg)) fail(ErrorCodes.BadValue, `${op} needs an array`);
        const any = inTest(arg, equals);
        tests.push(op === '$in' ? any : (r) => !any(r));
        break;
      }
      case '$all': {
        if (!Array.isArray(arg)) fail(ErrorCodes.BadValue, '$all needs an array');
        const each = arg.map((a) => (isPlainObject(a) && '$elemMatch' in a ? fieldTest(a, cmp, variables, collation) : equals(a)));
        tests.push((r) => each.length > 0 && each.every((t) => t(r)));
        break;
      }
      case '$elemMatch': {
        if (!isPlainObject(arg)) fail(ErrorCodes.BadValue, '$elemMatch needs an Object');
        const onElement: (el: unknown) => boolean = isOperatorObject(arg)
          ? ((t) => (el: unknown) => t({ values: [el], flat: [el] }))(fieldTest(arg, cmp, variables, collation))
          : ((m) => (el: unknown) => isPlainObject(el) && m(el))(compileFilter(arg, variables, collation));
        tests.push((r) => r.values.some((v) => Array.isArray(v) && v.some(onElement)));
        break;
      }
      case '$not': {
        const inner = fieldTest(arg, cmp, variables, collation);
        tests.push((r) => !inner(r));
        break;
      }
    }
  }
  if (Object.keys(rest).length > 0) {
    // Operators that do not compare strings, checked by mingo on a stand-in document per value.
    const m = mingoMatcher({ v: rest }, variables);
    tests.push((r) => (r.values.length === 0 ? m({}) : r.values.some((v) => m(v === undefined ? {} : { v }))));
  }
  return (r) => tests.every((t) => t(r));
}

function inTest(list: unknown[], equals: (target: unknown) => FieldTest): FieldTest {
  const tests = list.map((item): FieldTest => {
    if (item instanceof RegExp) return (r) => r.flat.some((v) => typeof v === 'string' && item.test(v));
    if (item === null) return (r) => r.values.length === 0 || r.flat.some((v) => v === null || v === undefined);
    return equals(item);
  });
  return (r) => tests.some((t) => t(r));
}

/** `let` variables are expressions evaluated once per command (so `{ $literal: 'x' }` becomes 'x'). */
export function evaluateLet(vars: Doc): Doc {
  for (const k of Object.keys(vars)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(k)) fail(ErrorCodes.FailedToParse, `'${k}' starts with an invalid character for a user variable name`);
  }
  try {
    return new Aggregator([{ $addFields: { v: vars } }]).run([{}])[0].v as Doc;
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}
