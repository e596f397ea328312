/**
 * Filter matching through mingo, with MongoDB's behaviour enforced at the boundary: operators the
 * server does not support answer a clear error instead of being silently misread.
 */
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { evalExpr } from 'mingo/core';
import type { Options } from 'mingo/types';
import { beginAggregation, inMode, markWrappers, truthy } from './arithmetic.js';
import { createAggregator, createRawQuery, mingoOptions, usesComparison } from './mingo-context.js';
import { readsNumberTypes } from './typed-values.js';
import { compareValues, hasNumberWrappers, isInt32Number, isPlainObject, plainNumbers, setOwn, toNumber, typeRank, type Doc, isInt64 } from '../bson-values.js';
import { asServerError, ErrorCodes, fail } from '../errors.js';
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

/** The flags a `$regex`'s `$options` (or a regular expression value) may carry, as MongoDB's parser accepts them. */
const REGEX_FLAGS = /^[imxsu]*$/;

/**
 * Refuses, as MongoDB's query parser does before anything runs, operator arguments it cannot mean anything with:
 * mingo would otherwise answer them with no match or with every document (`$elemMatch: 1`, `$not: {}`,
 * `$size: -1`, `$mod: [0, 1]`) where MongoDB answers BadValue (2), or an invalid regex flag (51108).
 */
function checkOperatorArguments(filter: Doc): void {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (Array.isArray(cond)) for (const sub of cond) if (isPlainObject(sub)) checkOperatorArguments(sub);
    } else if (!key.startsWith('$') && isOperatorObject(cond)) {
      checkFieldOperators(cond);
    }
  }
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || v instanceof Int32 || v instanceof Double || v instanceof Decimal128 || isInt64(v);
}

function checkFieldOperators(cond: Doc): void {
  for (const [op, arg] of Object.entries(cond)) {
    switch (op) {
      case '$in':
      case '$nin':
        if (!Array.isArray(arg)) fail(ErrorCodes.BadValue, `${op} needs an array`);
        break;
      case '$size': {
        if (!isNumeric(arg)) fail(ErrorCodes.BadValue, '$size needs a number');
        const n = toNumber(arg);
        if (n < 0) fail(ErrorCodes.BadValue, '$size may not be negative');
        if (!Number.isInteger(n)) fail(ErrorCodes.BadValue, `$size must be a whole number`);
        break;
      }
      case '$mod': {
        if (!Array.isArray(arg)) fail(ErrorCodes.BadValue, 'malformed mod, needs to be an array');
        if (arg.length < 2) fail(ErrorCodes.BadValue, 'malformed mod, not enough elements');
        if (arg.length > 2) fail(ErrorCodes.BadValue, 'malformed mod, too many elements');
        if (!isNumeric(arg[0])) fail(ErrorCodes.BadValue, 'malformed mod, divisor not a number');
        if (!isNumeric(arg[1])) fail(ErrorCodes.BadValue, 'malformed mod, remainder not a number');
        if (Math.trunc(toNumber(arg[0])) === 0) fail(ErrorCodes.BadValue, 'divisor cannot be 0');
        break;
      }
      case '$elemMatch':
        if (arg instanceof DBRef) break;
        if (!isPlainObject(arg)) fail(ErrorCodes.BadValue, '$elemMatch needs an Object');
        if (isOperatorObject(arg)) checkFieldOperators(arg);
        else checkOperatorArguments(arg);
        break;
      case '$not':
        if (arg instanceof RegExp || arg instanceof BSONRegExp) break;
        if (!isPlainObject(arg)) fail(ErrorCodes.BadValue, '$not needs a regex or a document');
        if (Object.keys(arg).length === 0) fail(ErrorCodes.BadValue, '$not cannot be empty');
        if (isOperatorObject(arg)) checkFieldOperators(arg);
        break;
      case '$options':
        if (!('$regex' in cond)) fail(ErrorCodes.BadValue, '$options needs a $regex');
        if (typeof arg !== 'string') fail(ErrorCodes.BadValue, '$options has to be a string');
        for (const flag of arg) if (!REGEX_FLAGS.test(flag)) fail(51108, `invalid flag in regex options: ${flag}`);
        break;
    }
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
  if ('$comment' in filter) {
    // A note for the logs, matched by every document.
    const { $comment: _comment, ...rest } = filter;
    return compileFilter(rest, variables, collation);
  }
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  const equalities = collation ? undefined : plainEqualities(filter, keys);
  if (equalities) return equalityMatcher(equalities);
  checkOperators(filter);
  checkLogical(filter);
  checkOperatorArguments(filter);
  if (needsOwnMatcher(filter, collation)) return compileOwn(filter, variables, collation);
  return mingoMatcher(filter, variables);
}

/**
 * A filter of top-level fields each equal to a string, boolean or ObjectId (`{ province, campaign, placeCode }`,
 * most lookups of the application): [field, value] pairs, or undefined for any other filter. Such values have
 * one BSON type and no collation or number rules, so the test is plain.
 */
function plainEqualities(filter: Doc, keys: string[]): Array<[string, unknown]> | undefined {
  const out: Array<[string, unknown]> = [];
  for (const k of keys) {
    const v = filter[k];
    if (k.startsWith('$') || k.includes('.') || !(typeof v === 'string' || typeof v === 'boolean' || v instanceof ObjectId)) return undefined;
    out.push([k, v]);
  }
  return out;
}

/** MongoDB's equality on such fields: the value itself, or an array holding it as an element. */
function equalityMatcher(equalities: Array<[string, unknown]>): Matcher {
  const equal = (want: unknown) => (want instanceof ObjectId ? (v: unknown) => v instanceof ObjectId && v.equals(want) : (v: unknown) => v === want);
  const tests = equalities.map(([field, want]): [string, (v: unknown) => boolean] => [field, equal(want)]);
  return (doc) => {
    for (const [field, test] of tests) {
      const v = doc[field];
      if (!test(v) && !(Array.isArray(v) && v.some(test))) return false;
    }
    return true;
  };
}

/** `$and`, `$or` and `$nor` take a non-empty array of documents (MongoDB answers BadValue otherwise). */
function checkLogical(filter: Doc): void {
  for (const [k, v] of Object.entries(filter)) {
    if (!LOGICAL.has(k)) continue;
    if (!Array.isArray(v) || v.length === 0) fail(ErrorCodes.BadValue, `${k} must be a nonempty array`);
    for (const sub of v) {
      if (!isPlainObject(sub)) fail(ErrorCodes.BadValue, `${k}/$or/$nor entries need to be full objects`);
      checkLogical(sub);
    }
  }
}

const BIT_OPERATORS = new Set(['$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear']);
/** Keys mingo answers differently from MongoDB: `$all` on a scalar, bit tests on BinData, DBRef fields. */
const DBREF_FIELDS = ['$id', '$ref', '$db'];
const OWN_KEYS = new Set([...BIT_OPERATORS, '$all', '$type', ...DBREF_FIELDS]);

/**
 * Whether a condition needs this module's matcher rather than mingo's: strings under a collation,
 * BinData operands (MongoDB orders BinData by length, then subtype, then bytes), OWN_KEYS, or an
 * `$expr` reading stored number types (see typedExprMatcher).
 */
function needsOwnMatcher(v: unknown, collation: Collation | undefined): boolean {
  if (typeof v === 'string') return collation !== undefined;
  if (v instanceof Binary || v instanceof DBRef) return true;
  if (Array.isArray(v)) return v.some((x) => needsOwnMatcher(x, collation));
  if (!isPlainObject(v)) return false;
  for (const [k, x] of Object.entries(v)) {
    if (OWN_KEYS.has(k) || (k === '$expr' && readsNumberTypes(x)) || needsOwnMatcher(x, collation)) return true;
    if (!k.startsWith('$') && k.includes('.') && nullEquality(x)) return true;
    // A path through a DBRef's fields (`a.$id`): mingo does not look inside a DBRef.
    if (!k.startsWith('$') && k.split('.').some((part) => DBREF_FIELDS.includes(part))) return true;
    if (!k.startsWith('$') || k === '$eq' || k === '$ne') {
      if (comparesWhole(x)) return true;
    } else if ((k === '$in' || k === '$nin') && Array.isArray(x) && x.some(comparesWhole)) {
      return true;
    }
  }
  return false;
}

/** Whether a condition tests equality with null (missing), which mingo misjudges on paths through arrays. */
function nullEquality(cond: unknown): boolean {
  if (cond === null) return true;
  if (!isOperatorObject(cond)) return false;
  return cond.$eq === null || cond.$ne === null || [cond.$in, cond.$nin].some((list) => Array.isArray(list) && list.includes(null));
}

/**
 * Equality operands mingo judges differently: an array (equal to an array field as a whole, also
 * inside `$in`) and a document of several fields (equal only with its fields in the same order).
 */
function comparesWhole(v: unknown): boolean {
  return Array.isArray(v) || (isPlainObject(v) && !isOperatorObject(v) && Object.keys(v).length > 1);
}

/**
 * The top-level fields a filter reads, or undefined when it may read any (`$expr`, `$where`...).
 */
function fieldsRead(filter: Doc, out: Set<string>): Set<string> | undefined {
  for (const [k, v] of Object.entries(filter)) {
    if (LOGICAL.has(k) && Array.isArray(v)) {
      for (const sub of v) if (!isPlainObject(sub) || !fieldsRead(sub, out)) return undefined;
    } else if (k.startsWith('$')) {
      return undefined;
    } else {
      out.add(k.split('.')[0]);
    }
  }
  return out;
}

/**
 * mingo compares and computes with plain numbers only, so it sees stored documents with their
 * number wrappers (integral doubles, int64) replaced by the numbers they hold, fields the filter
 * reads only, and only when one holds a wrapper (rare), so the common document is tested as it is.
 */
function mingoMatcher(filter: Doc, variables?: Doc): Matcher {
  try {
    const query = createRawQuery(normalizeFilter(plainNumbers(filter)), variables && plainNumbers(variables));
    const fields = fieldsRead(filter, new Set());
    if (!fields) return (doc) => query.test(plainNumbers(doc));
    const names = [...fields];
    return (doc) => {
      let view = doc;
      for (const f of names) {
        const v = doc[f];
        if (v !== null && typeof v === 'object' && hasNumberWrappers(v)) {
          if (view === doc) view = { ...doc };
          setOwn(view, f, plainNumbers(v));
        }
      }
      return query.test(view);
    };
  } catch (err) {
    throw asServerError(err);
  }
}

/** Operators this module evaluates itself when their operand needs it (see needsOwnMatcher). */
const OWN_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$elemMatch', '$not', '$type', ...BIT_OPERATORS]);

const TYPE_ALIASES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9, null: 10,
  regex: 11, dbPointer: 12, javascript: 13, symbol: 14, javascriptWithScope: 15, int: 16, timestamp: 17, long: 18,
  decimal: 19, minKey: -1, maxKey: 127,
};

/**
 * The BSON type number of a stored value: a plain number is an int32 when it serialises as one,
 * else a double; integral doubles and int64 are held as Double and Long (see bson-values.ts).
 */
function bsonType(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 10;
  if (typeof v === 'number') return isInt32Number(v) ? 16 : 1;
  if (typeof v === 'bigint' || isInt64(v)) return 18;
  if (v instanceof Double) return 1;
  if (v instanceof Int32) return 16;
  if (v instanceof Decimal128) return 19;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 8;
  if (Array.isArray(v)) return 4;
  if (v instanceof Binary) return 5;
  if (v instanceof ObjectId) return 7;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp || v instanceof BSONRegExp) return 11;
  if (v instanceof Code) return v.scope ? 15 : 13;
  if (v instanceof BSONSymbol) return 14;
  if (v instanceof Timestamp) return 17;
  if (v instanceof MinKey) return -1;
  if (v instanceof MaxKey) return 127;
  return 3;
}

function typeCodes(arg: unknown): Array<number | 'number'> {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) fail(ErrorCodes.FailedToParse, '$type must match at least one type');
  return list.map((t) => {
    if (t === 'number') return 'number';
    if (typeof t === 'string') {
      if (!(t in TYPE_ALIASES)) fail(ErrorCodes.BadValue, `Unknown type name alias: ${t}`);
      return TYPE_ALIASES[t];
    }
    const n = toNumber(t);
    if (!Object.values(TYPE_ALIASES).includes(n)) fail(ErrorCodes.BadValue, `Invalid numerical type code: ${String(t)}`);
    return n;
  });
}

/**
 * A filter matched with MongoDB's comparison rules where mingo's differ: comparisons (equality,
 * ranges, `$in`, `$all`, `$elemMatch`, also nested in `$and`/`$or`/`$nor`) use compareValues, with
 * the collation's string order when there is one; conditions that need none of this, and operators
 * that never compare values (`$regex`, `$exists`, `$type`, `$size`...) go to mingo.
 */
function compileOwn(filter: Doc, variables: Doc | undefined, collation: Collation | undefined): Matcher {
  const cmp = (a: unknown, b: unknown) => compareValues(a, b, collation?.compare);
  const parts: Matcher[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(cond)) {
      const subs = cond.map((c) => compileFilter(c as Doc, variables, collation));
      if (key === '$and') parts.push((d) => subs.every((m) => m(d)));
      else if (key === '$or') parts.push((d) => subs.some((m) => m(d)));
      else parts.push((d) => !subs.some((m) => m(d)));
      continue;
    }
    if (key === '$expr' && collation) {
      // Aggregation comparisons apply the collation themselves (see mingo-context.ts); a few others cannot.
      const comparison = usesComparison(cond);
      if (comparison) fail(ErrorCodes.NotImplemented, `${comparison} in $expr with a non-simple collation is not supported by the embedded server`);
    }
    if (key === '$expr' && readsNumberTypes(cond)) {
      parts.push(typedExprMatcher(cond, variables, collation));
      continue;
    }
    if (key === '$expr' && collation) {
      const query = createRawQuery({ $expr: plainNumbers(cond) }, variables && plainNumbers(variables), collation);
      parts.push((d) => query.test(plainNumbers(d)));
      continue;
    }
    const dbRefField = key === '$id' || key === '$ref' || key === '$db';
    if ((key.startsWith('$') && !dbRefField) || !needsOwnMatcher({ [key]: cond }, collation)) {
      parts.push(mingoMatcher({ [key]: cond }, variables));
      continue;
    }
    const test = fieldTest(cond, cmp, variables, collation);
    const path = key.split('.');
    parts.push((d) => test(candidates(d, path)));
  }
  return (doc) => parts.every((m) => m(doc));
}

/**
 * An `$expr` using an operator that reads stored number types (`$type`, `$toString`...): evaluated
 * on the stored document as in a pipeline (mingo's operators inside it get plain copies), so `$type`
 * of a NumberLong is "long", not the "int" a plain copy would give.
 */
function typedExprMatcher(cond: unknown, variables: Doc | undefined, collation: Collation | undefined): Matcher {
  const options = mingoOptions({ ...(variables ? { variables } : {}), ...(collation ? { collation: collation.spec as never } : {}) });
  const withRoot = (root: Doc) => (options.constructor as unknown as { init(o: Options): Options & { update(l: { root: Doc }): Options } }).init(options).update({ root });
  return (doc) => {
    const end = beginAggregation();
    markWrappers();
    try {
      return truthy(inMode(false, () => evalExpr(doc, cond, withRoot(doc))));
    } finally {
      end();
    }
  };
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
    if (v instanceof DBRef) {
      const fields: Doc = { $ref: v.collection, $id: v.oid, ...(v.db ? { $db: v.db } : {}), ...v.fields };
      walk(fields[path[i]], i + 1);
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

/** An object of query operators (`$id`, `$ref`, `$db` are DBRef field names, not operators). */
function isOperatorObject(v: unknown): v is Doc {
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$') && k !== '$id' && k !== '$ref' && k !== '$db');
}

function fieldTest(cond: unknown, cmp: (a: unknown, b: unknown) => number, variables: Doc | undefined, collation: Collation | undefined): FieldTest {
  // null equals a missing field as well, also one missing in some element of an array of documents.
  const equals = (target: unknown) =>
    target === null ? (r: Reached) => r.values.length === 0 || r.flat.some((v) => v === null || v === undefined) : (r: Reached) => r.flat.some((v) => v !== undefined && cmp(v, target) === 0);
  if (!isOperatorObject(cond)) return equals(cond);
  const tests: FieldTest[] = [];
  const rest: Doc = {};
  for (let [op, arg] of Object.entries(cond)) {
    const own =
      op === '$all' ||
      op === '$type' ||
      BIT_OPERATORS.has(op) ||
      needsOwnMatcher(arg, collation) ||
      ((op === '$eq' || op === '$ne') && (arg === null || comparesWhole(arg))) ||
      ((op === '$in' || op === '$nin') && Array.isArray(arg) && arg.some((v) => v === null || comparesWhole(v)));
    if (!OWN_OPERATORS.has(op) || !own || (op === '$not' && !isPlainObject(arg))) {
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
        // "$all is equivalent to an $and of the specified values": a scalar field equal to the one value matches.
        if (!Array.isArray(arg)) fail(ErrorCodes.BadValue, '$all needs an array');
        // A regular expression among the values matches strings as it does in `$in`.
        const each = arg.map((a) => (isPlainObject(a) && '$elemMatch' in a ? fieldTest(a, cmp, variables, collation) : a instanceof RegExp ? inTest([a], equals) : equals(a)));
        tests.push((r) => each.length > 0 && each.every((t) => t(r)));
        break;
      }
      case '$type': {
        const codes = typeCodes(arg);
        const is = (v: unknown) => {
          const t = bsonType(v);
          return codes.some((c) => (c === 'number' ? t === 1 || t === 16 || t === 18 || t === 19 : c === t));
        };
        // An array field matches `array` itself, and any other type through its elements.
        tests.push((r) => r.flat.some(is));
        break;
      }
      case '$bitsAllSet':
      case '$bitsAnySet':
      case '$bitsAllClear':
      case '$bitsAnyClear': {
        const positions = bitPositions(arg, op);
        const want = op === '$bitsAllSet' || op === '$bitsAnySet';
        const all = op === '$bitsAllSet' || op === '$bitsAllClear';
        tests.push((r) =>
          r.flat.some((v) => {
            const bit = bitReader(v);
            if (!bit) return false;
            const hits = positions.map((p) => bit(p) === want);
            return all ? hits.every(Boolean) : hits.some(Boolean);
          }),
        );
        break;
      }
      case '$elemMatch': {
        if (arg instanceof DBRef) arg = { $ref: arg.collection, $id: arg.oid, ...(arg.db ? { $db: arg.db } : {}) };
        if (!isPlainObject(arg)) fail(ErrorCodes.BadValue, '$elemMatch needs an Object');
        const onElement: (el: unknown) => boolean = isOperatorObject(arg)
          ? ((t) => (el: unknown) => t({ values: [el], flat: [el] }))(fieldTest(arg, cmp, variables, collation))
          : ((m) => (el: unknown) => (isPlainObject(el) || el instanceof DBRef) && m(el as Doc))(compileFilter(arg, variables, collation));
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

/** The bit positions a $bits* operand names: a list, a numeric mask, or a BinData mask. */
function bitPositions(arg: unknown, op: string): number[] {
  if (Array.isArray(arg)) {
    if (!arg.every((p) => Number.isInteger(toNumber(p)) && toNumber(p) >= 0)) fail(ErrorCodes.BadValue, `bit positions must be non-negative integers in ${op}`);
    return arg.map(toNumber);
  }
  if (arg instanceof Binary) {
    const bytes = arg.buffer.subarray(0, arg.position);
    const out: number[] = [];
    for (let i = 0; i < bytes.length * 8; i++) if ((bytes[i >> 3] >> (i & 7)) & 1) out.push(i);
    return out;
  }
  const n = toNumber(arg);
  if (!Number.isInteger(n) || n < 0) fail(ErrorCodes.BadValue, `${op} takes an Array, a number, or a BinData but received: ${String(arg)}`);
  const mask = BigInt(n);
  const out: number[] = [];
  for (let i = 0; mask >> BigInt(i) > 0n; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}

/**
 * Reads bit i of a value: an integral number as 64-bit two's complement (bits beyond 63 copy the
 * sign), BinData little-endian from its first byte (bits beyond its length are clear); else none.
 */
function bitReader(v: unknown): ((i: number) => boolean) | undefined {
  if (v instanceof Binary) {
    const bytes = v.buffer.subarray(0, v.position);
    return (i) => i < bytes.length * 8 && ((bytes[i >> 3] >> (i & 7)) & 1) === 1;
  }
  if (typeof v !== 'number' && typeof v !== 'bigint' && typeRank(v) !== 3) return undefined;
  const n = toNumber(v);
  if (!Number.isInteger(n)) return undefined;
  const big = BigInt.asUintN(64, BigInt(n));
  return (i) => (i > 63 ? n < 0 : ((big >> BigInt(i)) & 1n) === 1n);
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
    return createAggregator([{ $addFields: { v: vars } }]).run([{}])[0].v as Doc;
  } catch (err) {
    throw asServerError(err);
  }
}
