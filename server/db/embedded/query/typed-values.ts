/**
 * Expression operators and accumulators that select, move, convert or summarise values, computed
 * here on the typed values (see bson-values.ts) so their results have MongoDB's BSON types (manual:
 * each operator's result type). mingo's own would see plain copies (see arithmetic.ts), so a picked
 * NumberLong, an integral double or a Decimal128 would come back as an int32 or a double.
 *
 * - Selections (`$filter`, set operators, `$sortArray`, `$minN`/`$maxN`/`$firstN`/`$lastN`,
 *   `$top`/`$bottom`(`N`), `$mergeObjects`) return the stored values they pick, compared in
 *   MongoDB's order and equality across number types; their conditions and counts are plain.
 * - Conversions give the type they name: `$toDecimal` a Decimal128 (a double to 15 significant
 *   digits, as MongoDB converts it), `$toLong` an int64 (exact beyond 2^53), `$toDouble` a double,
 *   `$convert` by its `to`; `$toString` and `$type` see the stored type.
 * - Statistics (`$stdDevPop`, `$stdDevSamp`, `$median`, `$percentile`) and `$rand` give doubles,
 *   `$dateDiff` an int64, `$bitAnd`/`$bitOr`/`$bitXor`/`$bitNot` an int64 when an operand is one.
 *
 * Each operator computes the well-formed case; anything else (wrong argument types, an unknown
 * option) goes to mingo's operator on plain copies, for its answer or its error.
 */
import { Decimal128, Long } from 'bson';
import { evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import type { Options } from 'mingo/types';
import { canonicalKey, compareValues, isPlainObject, plainNumbers, storedDouble, toNumber, type Doc, isInt64 } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { inMode, outputsTyped, plainAccumulator, plainExpression, result, truthy, TYPED_ACCUMULATORS, typedValues } from './arithmetic.js';
import { decimalParts, INT64_MAX, INT64_MIN, numberKind } from './numbers.js';
import { sortDocs } from './shape.js';

type Expression = (obj: Doc, expr: unknown, options: Options) => unknown;
type Accumulator = (coll: Doc[], expr: unknown, options: Options) => unknown;

const MINGO_EXPRESSIONS = expressionOperators as unknown as Record<string, Expression>;
const MINGO_ACCUMULATORS = accumulatorOperators as unknown as Record<string, Accumulator>;

/** What a typed operator returns for arguments it leaves to mingo's operator. */
const TO_MINGO = Symbol('to mingo');

/** An operator computed by `compute` on typed values, its result typed where it lands in a stage's output. */
function typedExpression(name: string, compute: (obj: Doc, expr: unknown, options: Options) => unknown): Expression {
  const plain = plainExpression(MINGO_EXPRESSIONS[name]);
  return (obj, expr, options) => {
    const outer = outputsTyped();
    const r = compute(obj, expr, options);
    return r === TO_MINGO ? plain(obj, expr, options) : result(r, outer);
  };
}

/** A sub-expression's value with its stored number types. */
const typedArg = (obj: unknown, expr: unknown, options: Options): unknown => inMode(true, () => evalExpr(obj as Doc, expr, options));

/** A sub-expression's value with plain numbers (a condition, a count, an option). */
const plainArg = (obj: unknown, expr: unknown, options: Options): unknown => plainNumbers(inMode(false, () => evalExpr(obj as Doc, expr, options)));

const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;

type Scoped = Options & { update(l: { variables: Doc }): Options };

/** Options to give sub-expressions variables of their own (`$$this`...) with `update`, as mingo's own operators derive them. */
function scoped(options: Options): Scoped {
  return (options.constructor as unknown as { init(o: Options): Scoped }).init(options);
}

/** Distinct values by MongoDB's equality (1, NumberLong(1) and 1.0 are one), each as first seen. */
function distinct(values: unknown[]): Map<string, unknown> {
  const seen = new Map<string, unknown>();
  for (const v of values) if (!seen.has(canonicalKey(v))) seen.set(canonicalKey(v), v);
  return seen;
}

/** The set operators' arrays: undefined when one is null or missing (the answer is null), TO_MINGO when one is not an array. */
function setArguments(obj: Doc, expr: unknown, options: Options): unknown[][] | undefined | typeof TO_MINGO {
  if (!Array.isArray(expr)) return TO_MINGO;
  const args = expr.map((e) => typedArg(obj, e, options));
  if (args.some(isNil)) return undefined;
  return args.every(Array.isArray) ? (args as unknown[][]) : TO_MINGO;
}

function setOperator(name: string, combine: (arrays: unknown[][]) => unknown[] | typeof TO_MINGO): Expression {
  return typedExpression(name, (obj, expr, options) => {
    const arrays = setArguments(obj, expr, options);
    return arrays === undefined ? null : arrays === TO_MINGO ? TO_MINGO : combine(arrays);
  });
}

/** The `n` smallest (`sign` 1) or largest (-1) values in MongoDB's order, null and missing left out, smallest or largest first. */
function extremesN(values: unknown[], n: number, sign: number): unknown[] {
  return values.filter((v) => !isNil(v)).sort((a, b) => sign * compareValues(a, b)).slice(0, n);
}

/** `$minN`/`$maxN`/`$firstN`/`$lastN` on an array: `{ input, n }`. */
function arrayN(name: string, pick: (input: unknown[], n: number) => unknown[]): Expression {
  return typedExpression(name, (obj, expr, options) => {
    if (Array.isArray(obj) || !isPlainObject(expr) || !('input' in expr) || !('n' in expr)) return TO_MINGO;
    const input = typedArg(obj, expr.input, options);
    const n = plainArg(obj, expr.n, options);
    return Array.isArray(input) && isCount(n) ? pick(input, n) : TO_MINGO;
  });
}

/** `$sortArray`: the elements in MongoDB's order (by value, or by fields of documents), stable. */
function sortArray(input: unknown[], sortBy: unknown): unknown[] | typeof TO_MINGO {
  if (sortBy === 1 || sortBy === -1) return input.slice().sort((a, b) => sortBy * compareValues(a, b));
  if (isPlainObject(sortBy)) return sortDocs(input as Doc[], sortBy);
  return TO_MINGO;
}

const conversionFailure = (v: unknown, type: string): never => fail(ErrorCodes.ConversionFailure, `Failed to parse number '${String(v)}' in $convert with no onError value: cannot convert to ${type}`);

const BASE10_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE10_INTEGER = /^[+-]?\d+$/;

/** A value as Decimal128, as MongoDB converts it (manual, $toDecimal): a double to 15 significant digits. */
function toDecimal(v: unknown): Decimal128 {
  if (v instanceof Decimal128) return v;
  if (typeof v === 'boolean') return Decimal128.fromString(v ? '1' : '0');
  if (v instanceof Date) return Decimal128.fromString(String(v.getTime()));
  if (typeof v === 'string') return BASE10_NUMBER.test(v) ? Decimal128.fromString(v) : conversionFailure(v, 'decimal');
  const kind = numberKind(v);
  if (kind === 0 || kind === 1) return Decimal128.fromString(String(isInt64(v) || typeof v === 'bigint' ? v.toString() : toNumber(v)));
  if (kind === 2) {
    const x = toNumber(v);
    return Decimal128.fromString(Number.isFinite(x) ? x.toPrecision(15) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
  }
  return fail(ErrorCodes.ConversionFailure, `Unsupported conversion to decimal in $convert with no onError value`);
}

/** A value as int64, exact (a Decimal128 or a double truncated; a string must be a base-10 integer). */
function toLong(v: unknown): Long {
  let n: bigint;
  if (isInt64(v)) return v;
  if (typeof v === 'boolean') n = v ? 1n : 0n;
  else if (v instanceof Date) n = BigInt(v.getTime());
  else if (typeof v === 'string') n = BASE10_INTEGER.test(v) ? BigInt(v) : conversionFailure(v, 'long');
  else if (numberKind(v) === 0 || numberKind(v) === 2) {
    const x = toNumber(v);
    if (!Number.isFinite(x)) fail(ErrorCodes.ConversionFailure, `Attempt to convert ${x} value to integer type in $convert with no onError value`);
    n = BigInt(Math.trunc(x));
  } else if (v instanceof Decimal128) {
    const parts = decimalParts(v);
    if (!parts) fail(ErrorCodes.ConversionFailure, `Attempt to convert ${v.toString()} value to integer type in $convert with no onError value`);
    const [c, e] = parts;
    n = e >= 0 ? c * 10n ** BigInt(e) : c / 10n ** BigInt(-e);
  } else return fail(ErrorCodes.ConversionFailure, `Unsupported conversion to long in $convert with no onError value`);
  if (n < INT64_MIN || n > INT64_MAX) fail(ErrorCodes.ConversionFailure, `Conversion would overflow target type in $convert with no onError value: ${String(v)}`);
  return Long.fromBigInt(n);
}

/** mingo's conversion of a value (strings, dates, booleans), seeing it as a plain number. */
const mingoConversion = (name: string) => (v: unknown, options: Options): unknown =>
  inMode(false, () => MINGO_EXPRESSIONS[name]({}, { $literal: plainNumbers(v) }, options));

/** `$toString` of a NumberLong or a Decimal128 prints its stored digits (`Decimal128("1.50")` is "1.50"). */
function toStringValue(v: unknown, options: Options): unknown {
  if (isInt64(v) || v instanceof Decimal128) return v.toString();
  return mingoConversion('$toString')(v, options);
}

/** A value as double; a number of any type by its value. */
function toDoubleValue(v: unknown, options: Options): unknown {
  const r = numberKind(v) === undefined ? mingoConversion('$toDouble')(v, options) : toNumber(v);
  return typeof r === 'number' ? storedDouble(r) : r;
}

type Conversion = (v: unknown, options: Options) => unknown;

/** `$convert`'s targets by name and by BSON type number. */
const CONVERSIONS: Record<string, Conversion> = {
  double: toDoubleValue,
  decimal: toDecimal,
  long: toLong,
  int: mingoConversion('$toInt'),
  string: toStringValue,
  bool: mingoConversion('$toBool'),
  date: mingoConversion('$toDate'),
};
const TYPE_NUMBERS: Record<number, string> = { 1: 'double', 19: 'decimal', 18: 'long', 16: 'int', 2: 'string', 8: 'bool', 9: 'date' };

/** A conversion operator (`$toDecimal`...): null for a null or missing operand. */
function converting(name: string, convert: Conversion): Expression {
  return typedExpression(name, (obj, expr, options) => {
    const v = typedArg(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
    return isNil(v) ? null : convert(v, options);
  });
}

/** BSON type names of numbers, as `$type` reports them. */
const NUMBER_TYPES = ['int', 'long', 'double', 'decimal'];

/** A value's BSON type name, as `$type` reports it (`missing` for no value). */
function typeName(v: unknown, options: Options): string {
  const kind = numberKind(v);
  return kind === undefined ? String(MINGO_EXPRESSIONS.$type({}, { $literal: v }, options)) : NUMBER_TYPES[kind];
}

/** `$bitAnd`/`$bitOr`/`$bitXor` on int32 and int64 operands: an int64 when any operand is one. */
function bitwise(name: string, identity: bigint, op: (a: bigint, b: bigint) => bigint): Expression {
  return typedExpression(name, (obj, expr, options) => {
    const args = typedArg(obj, expr, options);
    const list = Array.isArray(args) ? args : [args];
    if (list.some(isNil)) return null;
    if (!list.every((v) => numberKind(v) === 0 || numberKind(v) === 1)) return TO_MINGO;
    const r = list.reduce<bigint>((acc, v) => op(acc, BigInt(isInt64(v) ? v.toString() : toNumber(v))), identity);
    return list.some((v) => numberKind(v) === 1) ? Long.fromBigInt(BigInt.asIntN(64, r)) : Number(BigInt.asIntN(32, r));
  });
}

/** A statistic mingo computes in double: its number (or each number of its array) as a double. */
function asDoubles(r: unknown): unknown {
  if (typeof r === 'number') return storedDouble(r);
  return Array.isArray(r) ? r.map(asDoubles) : r;
}

/** mingo's operator on plain copies, its numeric result given the type `type` makes of it. */
function typedResult(name: string, type: (r: unknown) => unknown): Expression {
  const plain = plainExpression(MINGO_EXPRESSIONS[name]);
  return (obj, expr, options) => {
    const outer = outputsTyped();
    return result(type(plain(obj, expr, options)), outer);
  };
}

/** `$and` (`all` true) or `$or`: operands evaluated in order until one decides, each by MongoDB's truthiness of its typed value. */
function logical(all: boolean): Expression {
  return (obj, expr, options) => {
    for (const e of Array.isArray(expr) ? expr : [expr]) if (truthy(plainArg(obj, e, options)) !== all) return !all;
    return all;
  };
}

export const TYPED_VALUE_EXPRESSIONS: Record<string, Expression> = {
  $and: logical(true),
  $or: logical(false),
  $filter: typedExpression('$filter', (obj, expr, options) => {
    if (!isPlainObject(expr) || !('input' in expr) || !('cond' in expr) || (expr.as !== undefined && typeof expr.as !== 'string')) return TO_MINGO;
    const input = typedArg(obj, expr.input, options);
    const limit = isNil(expr.limit) ? Infinity : plainArg(obj, expr.limit, options);
    if (!Array.isArray(input) || !(limit === Infinity || isCount(limit))) return TO_MINGO;
    const name = (expr.as as string | undefined) ?? 'this';
    const condOptions = scoped(options);
    const kept: unknown[] = [];
    for (const element of input) {
      if (kept.length >= (limit as number)) break;
      // The condition's value is consumed (plain, MongoDB's truthiness); the element kept is the stored one.
      if (truthy(plainArg(obj, expr.cond, condOptions.update({ variables: { [name]: element } })))) kept.push(element);
    }
    return kept;
  }),
  $setUnion: setOperator('$setUnion', (arrays) => [...distinct(arrays.flat()).values()]),
  $setIntersection: setOperator('$setIntersection', (arrays) => {
    if (arrays.length === 0) return [];
    const others = arrays.slice(1).map((a) => new Set(a.map((v) => canonicalKey(v))));
    return [...distinct(arrays[0]).entries()].filter(([k]) => others.every((s) => s.has(k))).map(([, v]) => v);
  }),
  $setDifference: setOperator('$setDifference', (arrays) => {
    if (arrays.length !== 2) return TO_MINGO;
    const removed = new Set(arrays[1].map((v) => canonicalKey(v)));
    return [...distinct(arrays[0]).entries()].filter(([k]) => !removed.has(k)).map(([, v]) => v);
  }),
  $sortArray: typedExpression('$sortArray', (obj, expr, options) => {
    if (!isPlainObject(expr) || !('input' in expr) || !('sortBy' in expr)) return TO_MINGO;
    const input = typedArg(obj, expr.input, options);
    return isNil(input) ? null : Array.isArray(input) ? sortArray(input, plainNumbers(expr.sortBy)) : TO_MINGO;
  }),
  $minN: arrayN('$minN', (input, n) => extremesN(input, n, 1)),
  $maxN: arrayN('$maxN', (input, n) => extremesN(input, n, -1)),
  $firstN: arrayN('$firstN', (input, n) => input.slice(0, n)),
  $lastN: arrayN('$lastN', (input, n) => input.slice(Math.max(0, input.length - n))),
  $toDecimal: converting('$toDecimal', toDecimal),
  $toLong: converting('$toLong', toLong),
  $toDouble: converting('$toDouble', toDoubleValue),
  $toString: converting('$toString', toStringValue),
  $convert: typedExpression('$convert', (obj, expr, options) => {
    if (!isPlainObject(expr) || !('input' in expr) || !('to' in expr)) return TO_MINGO;
    const to = plainArg(obj, expr.to, options);
    const target = typeof to === 'number' ? TYPE_NUMBERS[to] : typeof to === 'string' ? to : undefined;
    if (target === 'objectId' || target === 'binData' || to === 7 || to === 5) fail(ErrorCodes.NotImplemented, `$convert to ${String(to)} is not supported by the embedded server`);
    const convert = target === undefined ? undefined : CONVERSIONS[target];
    if (!convert) return TO_MINGO;
    const input = typedArg(obj, expr.input, options);
    if (isNil(input)) return 'onNull' in expr ? typedArg(obj, expr.onNull, options) : null;
    if (!('onError' in expr)) return convert(input, options);
    try {
      return convert(input, options);
    } catch {
      return typedArg(obj, expr.onError, options);
    }
  }),
  $type: typedExpression('$type', (obj, expr, options) => {
    const kind = numberKind(typedArg(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options));
    return kind === undefined ? TO_MINGO : NUMBER_TYPES[kind];
  }),
  // MongoDB refuses anything but an array, null and a missing field included (mingo answers null for those).
  $size: typedExpression('$size', (obj, expr, options) => {
    const array = typedArg(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
    if (!Array.isArray(array)) fail(ErrorCodes.Location17124, `The argument to $size must be an array, but was of type: ${typeName(array, options)}`);
    return array.length;
  }),
  // A second argument that is not an array is MongoDB's 40081, checked here; the well-formed case is mingo's.
  $in: typedExpression('$in', (obj, expr, options) => {
    if (!Array.isArray(expr) || expr.length !== 2) return TO_MINGO;
    const list = typedArg(obj, expr[1], options);
    if (!Array.isArray(list)) fail(ErrorCodes.Location40081, `$in requires an array as a second argument, found: ${typeName(list, options)}`);
    return TO_MINGO;
  }),
  $bitAnd: bitwise('$bitAnd', -1n, (a, b) => a & b),
  $bitOr: bitwise('$bitOr', 0n, (a, b) => a | b),
  $bitXor: bitwise('$bitXor', 0n, (a, b) => a ^ b),
  $bitNot: typedExpression('$bitNot', (obj, expr, options) => {
    const v = typedArg(obj, Array.isArray(expr) && expr.length === 1 ? expr[0] : expr, options);
    if (isNil(v)) return null;
    if (isInt64(v)) return Long.fromBigInt(~BigInt(v.toString()));
    return numberKind(v) === 0 ? ~toNumber(v) : TO_MINGO;
  }),
  // $stdDevPop, $stdDevSamp (and $sum, $avg, $min, $max) in an expression are the accumulators, applied to the operands.
  $median: typedResult('$median', asDoubles),
  $percentile: typedResult('$percentile', asDoubles),
  $rand: typedResult('$rand', asDoubles),
  $dateDiff: typedResult('$dateDiff', (r) => (typeof r === 'number' ? Long.fromNumber(r) : r)),
  $toHashedIndexKey: () => fail(ErrorCodes.NotImplemented, '$toHashedIndexKey is not supported by the embedded server (it does not compute MongoDB\'s hash)'),
};

/** The value of `n` for a group (evaluated against its `_id`, as MongoDB allows), plain. */
function groupCount(expr: Doc, options: Options): unknown {
  return plainArg((options as unknown as { local?: { groupId?: unknown } }).local?.groupId ?? {}, expr.n, options);
}

/** `$top`/`$bottom`(`N`): the group's documents in `sortBy` order, the first or last `n`, each's `output` with its types. */
function ranked(name: string, bottom: boolean, single: boolean): Accumulator {
  const plain = plainAccumulator(MINGO_ACCUMULATORS[single ? (bottom ? '$bottomN' : '$topN') : name]);
  return (coll, expr, options) => {
    const spec = expr as Doc;
    const n = single ? 1 : groupCount(spec, options);
    if (!isPlainObject(spec) || !isPlainObject(spec.sortBy) || !('output' in spec) || !isCount(n)) {
      const r = plain(coll, single ? { ...spec, n: 1 } : spec, options);
      return single && Array.isArray(r) ? r[0] : r;
    }
    const sorted = sortDocs(coll, spec.sortBy);
    const chosen = bottom ? sorted.slice(Math.max(0, sorted.length - n)) : sorted.slice(0, n);
    // MongoDB gives null for a missing output, in the position of its document.
    const values = chosen.map((d) => typedValues([d], spec.output, options)[0] ?? null);
    return result(single ? values[0] ?? null : values, true);
  };
}

/** `$minN`/`$maxN`/`$firstN`/`$lastN` over a group: `{ input, n }`. */
function groupN(name: string, pick: (values: unknown[], n: number) => unknown[]): Accumulator {
  const plain = plainAccumulator(MINGO_ACCUMULATORS[name]);
  return (coll, expr, options) => {
    const spec = expr as Doc;
    const n = isPlainObject(spec) ? groupCount(spec, options) : undefined;
    if (!isPlainObject(spec) || !('input' in spec) || !isCount(n)) return plain(coll, expr, options);
    return result(pick(typedValues(coll, spec.input, options).map((v) => v ?? null), n), true);
  };
}

/** A statistic accumulator mingo computes in double, given as a double (or an array of doubles). */
const doubleAccumulator = (name: string): Accumulator => {
  const plain = plainAccumulator(MINGO_ACCUMULATORS[name]);
  return (coll, expr, options) => result(asDoubles(plain(coll, expr, options)), true);
};

const TYPED_VALUE_ACCUMULATORS: Record<string, Accumulator> = {
  $top: ranked('$top', false, true),
  $bottom: ranked('$bottom', true, true),
  $topN: ranked('$topN', false, false),
  $bottomN: ranked('$bottomN', true, false),
  $minN: groupN('$minN', (values, n) => extremesN(values, n, 1)),
  $maxN: groupN('$maxN', (values, n) => extremesN(values, n, -1)),
  $firstN: groupN('$firstN', (values, n) => values.slice(0, n)),
  $lastN: groupN('$lastN', (values, n) => values.slice(Math.max(0, values.length - n))),
  $mergeObjects: (coll, expr, options) => {
    const merged: Doc = {};
    for (const v of typedValues(coll, expr, options)) {
      if (isNil(v)) continue;
      if (!isPlainObject(v)) fail(ErrorCodes.Location40400, `$mergeObjects requires object inputs, but input ${JSON.stringify(plainNumbers(v))} is of type ${typeof v}`);
      for (const [k, x] of Object.entries(v)) if (x !== undefined) merged[k] = x;
    }
    return result(merged, true);
  },
  $stdDevPop: doubleAccumulator('$stdDevPop'),
  $stdDevSamp: doubleAccumulator('$stdDevSamp'),
  $median: doubleAccumulator('$median'),
  $percentile: doubleAccumulator('$percentile'),
  $covariancePop: doubleAccumulator('$covariancePop'),
  $covarianceSamp: doubleAccumulator('$covarianceSamp'),
};

/** Every accumulator computed on typed values: the arithmetic ones (arithmetic.ts) and those above. */
export const ACCUMULATORS_ON_TYPED_VALUES: Record<string, Accumulator> = { ...TYPED_ACCUMULATORS, ...TYPED_VALUE_ACCUMULATORS };

/** Operators whose answer depends on a value's stored number type, not only on its value. */
const TYPE_READING = new Set(['$type', '$toString', '$toLong', '$toDecimal', '$convert']);

/** Whether an expression uses an operator that reads stored number types (see TYPE_READING). */
export function readsNumberTypes(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(readsNumberTypes);
  if (!isPlainObject(v)) return false;
  return Object.entries(v).some(([k, x]) => TYPE_READING.has(k) || readsNumberTypes(x));
}
