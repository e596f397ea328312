/**
 * Aggregation arithmetic with MongoDB's result types (manual: `$add`, `$sum`, `$avg`, `$divide`):
 * int32 with int32 gives int32 (int64 when it overflows), with an int64 gives int64 (a double when
 * that overflows), any double gives a double (also when integral), any Decimal128 gives a Decimal128,
 * computed exactly here (mingo would compute it as a double); `$avg` and `$divide` give a double
 * unless a Decimal128 is involved.
 *
 * mingo's other operators only handle plain numbers, so a typed result (an integral double as
 * `Double`, an int64 as `Long`, a Decimal128) is made only where it lands in a stage's output: in
 * `$project`/`$addFields`/`$set` fields, accumulator results, or as the operand of another operator
 * here. Nested inside one of mingo's operators, the same value is handed over as a plain number.
 */
import { Decimal128, Long } from 'bson';
import { evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import type { Options } from 'mingo/types';
import { canonicalKey, compareValues, isInt32Number, plainNumbers, storedDouble, toNumber, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { decimalAdd, decimalDivide, decimalMultiply, INT64_MAX, INT64_MIN, numberKind } from './numbers.js';

type Expression = (obj: Doc, expr: unknown, options: Options) => unknown;
type Accumulator = (coll: Doc[], expr: unknown, options: Options) => unknown;

/** Whether the value being computed lands in a stage's output (else one of mingo's operators consumes it). */
let typed = false;
/** Whether a typed number may be in the documents mingo sees (then its operators get plain copies). */
let wrappersMade = false;
let running = 0;

/** Whether the value being computed lands in a stage's output (see `typed`). */
export function outputsTyped(): boolean {
  return typed;
}

/** Runs `f` with results typed (`mode` true) or plain. */
export function inMode<T>(mode: boolean, f: () => T): T {
  const saved = typed;
  typed = mode;
  try {
    return f();
  } finally {
    typed = saved;
  }
}

/** Brackets one aggregation: once none is running, documents hold no typed result any more. */
export function beginAggregation(): () => void {
  running++;
  return () => {
    if (--running === 0) wrappersMade = false;
  };
}

/** Records that documents mingo sees hold typed numbers (stored ones, or results made here). */
export function markWrappers(): void {
  wrappersMade = true;
}

/** Whether documents mingo sees may hold typed numbers (see markWrappers). */
export function wrappersPresent(): boolean {
  return wrappersMade;
}

/** A value as one of mingo's operators needs it: plain numbers when a typed result may be inside. */
export function plainForMingo<T>(v: T): T {
  return wrappersMade ? plainNumbers(v) : v;
}

type Locals = { root?: unknown; variables?: Doc };

/** Options whose root document and local variables (where mingo resolves field paths) are plain. */
function plainOptions(options: Options): Options {
  const local = (options as unknown as { local?: Locals }).local;
  if (!local) return options;
  const copy = (options.constructor as unknown as { init(o: Options): Options & { update(l: Locals): Options } }).init(options);
  return copy.update({ root: plainNumbers(local.root), variables: plainNumbers(local.variables) });
}

/** An operand that is one expression (a path, a value, an operator), not an object of named arguments. */
function isOneExpression(expr: unknown): boolean {
  if (expr === null || typeof expr !== 'object' || Object.getPrototypeOf(expr) !== Object.prototype) return true;
  const keys = Object.keys(expr);
  return keys.length === 1 && keys[0].startsWith('$');
}

/** An operand evaluated with stored types (so `$type`, `$toString` inside see them), handed over plain. */
function plainOperand(obj: Doc, expr: unknown, options: Options): unknown {
  const v = plainNumbers(inMode(true, () => evalExpr(obj, expr, options)));
  // A value that evaluates to itself needs no $literal (most operands: numbers, strings, missing).
  const selfEvaluating = v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v[0] !== '$');
  return selfEvaluating ? v : { $literal: v };
}

/**
 * mingo's expression operator, seeing plain numbers. Given its name (the operators of mingo's table
 * the server does not replace, all of which evaluate every operand: the lazy ones, `$cond`, `$and`,
 * `$ifNull`, `$map`..., are the server's own), an operator whose operands are expressions (an array
 * of them, or one) has them evaluated here on the typed document and gets their plain values; any
 * other gets a plain copy of the document and variables.
 */
export function plainExpression(base: Expression, name?: string): Expression {
  const evaluatesOperands = name !== undefined;
  return (obj, expr, options) => {
    if (!typed && !wrappersMade) return base(obj, expr, options);
    const saved = typed;
    typed = false;
    try {
      if (!wrappersMade) return base(obj, expr, options);
      if (evaluatesOperands && Array.isArray(expr)) return base(obj, expr.map((e) => plainOperand(obj, e, options)), options);
      if (evaluatesOperands && isOneExpression(expr)) return base(obj, plainOperand(obj, expr, options), options);
      return base(plainNumbers(obj), expr, plainOptions(options));
    } finally {
      typed = saved;
    }
  };
}

/** mingo's accumulator, seeing plain numbers and making its operands plain. */
export function plainAccumulator(base: Accumulator): Accumulator {
  return (coll, expr, options) => inMode(false, () => base(wrappersMade ? coll.map((d) => plainNumbers(d)) : coll, expr, options));
}

/** A result in the stored representation when typed, else as a plain number. */
export function result(v: unknown, outer: boolean): unknown {
  if (!outer || typeof v === 'number') return outer ? v : plainNumbers(v);
  wrappersMade = true;
  return v;
}

function isNumeric(v: unknown): boolean {
  return numberKind(v) !== undefined;
}

/** The widest BSON number type among numeric values (0 int32, 1 int64, 2 double, 3 decimal). */
function widest(values: unknown[]): number {
  let kind = 0;
  for (const v of values) kind = Math.max(kind, numberKind(v)!);
  return kind;
}

/** The sum of numeric values with MongoDB's result type (typed representation). */
function sumOf(values: unknown[]): unknown {
  const kind = widest(values);
  if (kind === 3) return decimalAdd(values);
  if (kind === 2) {
    let s = 0;
    for (const v of values) s += toNumber(v);
    return storedDouble(s);
  }
  if (kind === 0) {
    let s = 0;
    for (const v of values) s += v as number;
    if (isInt32Number(s) || s === 0) return s;
    if (Number.isSafeInteger(s)) return Long.fromNumber(s);
  }
  let s = 0n;
  for (const v of values) s += typeof v === 'number' ? BigInt(v) : BigInt(String(v));
  // int64 overflowing becomes a double.
  return s < INT64_MIN || s > INT64_MAX ? Number(s) : Long.fromBigInt(s);
}

function productOf(values: unknown[]): unknown {
  const kind = widest(values);
  if (kind === 3) return decimalMultiply(values);
  if (kind === 2) return storedDouble(values.reduce<number>((p, v) => p * toNumber(v), 1));
  let p = 1n;
  for (const v of values) p *= typeof v === 'number' ? BigInt(v) : BigInt(String(v));
  if (kind === 0 && p >= -(2n ** 31n) && p < 2n ** 31n) return Number(p);
  return p < INT64_MIN || p > INT64_MAX ? Number(p) : Long.fromBigInt(p);
}

function averageOf(values: unknown[]): unknown {
  if (values.length === 0) return null;
  const sum = sumOf(values);
  if (sum instanceof Decimal128) return decimalDivide(sum, values.length);
  return storedDouble(toNumber(sum) / values.length);
}

/** Evaluated operands of an arithmetic operator, typed. */
function operands(obj: Doc, expr: unknown, options: Options): unknown {
  return inMode(true, () => evalExpr(obj, expr, options));
}

/** The operands as literals, for mingo's own operator (dates, errors). */
const literals = (args: unknown): unknown => (Array.isArray(args) ? args.map((a) => ({ $literal: plainNumbers(a) })) : { $literal: plainNumbers(args) });

/** An operator computing on typed numbers, mingo's for anything else (nulls, dates, errors). */
function arithmetic(base: Expression, compute: (args: unknown[]) => unknown, fast?: (args: number[]) => number): Expression {
  return (obj, expr, options) => {
    const outer = typed;
    const args = operands(obj, expr, options);
    if (Array.isArray(args) && args.length > 0) {
      if (fast && args.every((a) => typeof a === 'number')) {
        // The common case, plain numbers: only an integral result needs a look at its type.
        const r = fast(args as number[]);
        if (!Number.isInteger(r)) return r;
      }
      if (args.every(isNumeric)) return result(compute(args), outer);
    }
    if (Array.isArray(args) && args.some((a) => a === null || a === undefined)) return null;
    return inMode(false, () => base(obj, literals(args), options));
  };
}

/** `$sum`/`$avg` as expressions: of their operands, or of the array a single operand resolves to; non-numbers are ignored. */
function listArithmetic(compute: (values: unknown[]) => unknown, empty: unknown): Expression {
  return (obj, expr, options) => {
    const outer = typed;
    const args = operands(obj, expr, options);
    const list = Array.isArray(expr) && expr.length !== 1 ? (args as unknown[]) : Array.isArray(args) ? (Array.isArray(expr) ? (Array.isArray(args[0]) ? args[0] : args) : args) : [args];
    const values = (list as unknown[]).filter(isNumeric);
    return result(values.length ? compute(values) : empty, outer);
  };
}

/** Functions whose result is a double (a Decimal128 for a Decimal128 operand, which is refused). */
const DOUBLE_FUNCTIONS = ['$sqrt', '$exp', '$ln', '$log', '$log10', '$sigmoid', '$sin', '$cos', '$tan', '$asin', '$acos', '$atan', '$atan2', '$sinh', '$cosh', '$tanh', '$asinh', '$acosh', '$atanh', '$degreesToRadians', '$radiansToDegrees'];
/** Arithmetic that mingo computes in double precision: refused on a Decimal128 rather than answered inexactly. */
const DOUBLE_ONLY = ['$abs', '$ceil', '$floor', '$round', '$trunc', '$mod', '$pow', ...DOUBLE_FUNCTIONS];

/** Operators whose result has their first operand's type, and those whose result is always a double. */
const SAME_TYPE = new Set(['$abs', '$ceil', '$floor', '$round', '$trunc']);
const ALWAYS_DOUBLE = new Set(DOUBLE_FUNCTIONS);

/** mingo's plain result of a DOUBLE_ONLY operator in the BSON type MongoDB gives it (manual: each operator's result type). */
function resultType(name: string, args: unknown, r: number): unknown {
  const list = Array.isArray(args) ? args : [args];
  if (!list.every(isNumeric)) return r;
  const kind = ALWAYS_DOUBLE.has(name) ? 2 : SAME_TYPE.has(name) ? numberKind(list[0]) : widest(list);
  if (kind === 2) return storedDouble(r);
  if (kind === 1 && Number.isSafeInteger(r)) return Long.fromNumber(r);
  return r;
}

function refusingDecimals(name: string, base: Expression): Expression {
  const plain = plainExpression(base);
  return (obj, expr, options) => {
    const outer = typed;
    // A Decimal128 reaches an operator only from a stored document or a typed result.
    if (!wrappersMade) {
      if (!outer) return plain(obj, expr, options);
      // Plain operands, evaluated once: only an integral result may need another type than a plain number gives it.
      const args = inMode(false, () => evalExpr(obj, expr, options));
      const r = plain(obj, literals(args), options);
      return typeof r === 'number' && Number.isInteger(r) ? result(resultType(name, args, r), outer) : r;
    }
    const args = operands(obj, expr, options);
    if ((Array.isArray(args) ? args : [args]).some((a) => a instanceof Decimal128)) {
      fail(ErrorCodes.NotImplemented, `${name} of a Decimal128 is not computed by the embedded server (it computes Decimal128 arithmetic only in $add, $subtract, $multiply, $divide, $sum and $avg)`);
    }
    const r = plain(obj, literals(args), options);
    return outer && typeof r === 'number' && Number.isInteger(r) ? result(resultType(name, args, r), outer) : r;
  };
}

/** MongoDB's truthiness (false, null, missing and any zero are false) of a possibly typed value. */
export function truthy(v: unknown): boolean {
  const p = plainNumbers(v);
  return p instanceof Decimal128 ? Number(p.toString()) !== 0 : !!p || p === '';
}

/** A value picked by a `$cond`/`$switch`: typed where it lands in a stage's output, else as mingo's operators need it. */
const picked = (v: unknown): unknown => (typed ? v : plainForMingo(v));

/** A condition: computed plain (its value is consumed, not output). */
const condition = (obj: Doc, expr: unknown, options: Options): boolean => truthy(inMode(false, () => evalExpr(obj, expr, options)));

/**
 * Operators that only pick or move values (`$ifNull`, `$let`, `$mergeObjects`, `$map`...): mingo's, seeing the
 * typed document when their result lands in a stage's output, so the value they pick keeps its
 * type; nested in one of mingo's operators they see plain numbers like the others.
 */
function moving(base: Expression): Expression {
  const plain = plainExpression(base);
  return (obj, expr, options) => (typed ? base(obj, expr, options) : plain(obj, expr, options));
}

/** `$arrayElemAt`, `$slice`: moving the array's elements typed, their index and count operands plain. */
function movingWithPlainCounts(base: Expression): Expression {
  const plain = plainExpression(base);
  return (obj, expr, options) => {
    if (!typed || !Array.isArray(expr)) return plain(obj, expr, options);
    const args = expr.map((e, i) => (i === 0 ? evalExpr(obj, e, options) : plainNumbers(inMode(false, () => evalExpr(obj, e, options)))));
    return base(obj, args.map((a) => ({ $literal: a })), options);
  };
}

/** `$slice` of a null or missing array is null, as in MongoDB (mingo refuses it). */
function nullForMissingArray(base: Expression): Expression {
  return (obj, expr, options) => {
    if (!Array.isArray(expr) || expr.length < 2) return base(obj, expr, options);
    const array = evalExpr(obj, expr[0], options);
    return array === null || array === undefined ? null : base(obj, expr, options);
  };
}

const MOVING = ['$ifNull', '$let', '$mergeObjects', '$literal', '$first', '$last', '$concatArrays', '$reverseArray', '$objectToArray', '$arrayToObject', '$getField', '$setField', '$unsetField', '$map', '$reduce', '$zip'];

export const TYPED_EXPRESSIONS: Record<string, Expression> = {
  $arrayElemAt: movingWithPlainCounts(expressionOperators.$arrayElemAt as Expression),
  $slice: nullForMissingArray(movingWithPlainCounts(expressionOperators.$slice as Expression)),
  ...Object.fromEntries(MOVING.map((name) => [name, moving((expressionOperators as unknown as Record<string, Expression>)[name])])),
  $cond: (obj, expr, options) => {
    const [test, then, otherwise] = Array.isArray(expr) ? expr : isPlainCond(expr) ? [expr.if, expr.then, expr.else] : [];
    if (!Array.isArray(expr) && !isPlainCond(expr)) return plainExpression(expressionOperators.$cond as Expression)(obj, expr, options);
    return picked(evalExpr(obj, condition(obj, test, options) ? then : otherwise, options));
  },
  $switch: (obj, expr, options) => {
    const spec = expr as { branches?: { case: unknown; then: unknown }[]; default?: unknown };
    if (!spec || !Array.isArray(spec.branches)) return plainExpression(expressionOperators.$switch as Expression)(obj, expr, options);
    for (const branch of spec.branches) if (condition(obj, branch.case, options)) return picked(evalExpr(obj, branch.then, options));
    // No branch matched: mingo's answers the default, or its error when there is none.
    return 'default' in spec ? picked(evalExpr(obj, spec.default, options)) : plainExpression(expressionOperators.$switch as Expression)(obj, expr, options);
  },
  ...Object.fromEntries(DOUBLE_ONLY.map((name) => [name, refusingDecimals(name, (expressionOperators as unknown as Record<string, Expression>)[name])])),
  $add: arithmetic(expressionOperators.$add as Expression, sumOf, (args) => args.reduce((s, a) => s + a, 0)),
  $subtract: arithmetic(expressionOperators.$subtract as Expression, ([a, b]) => {
    const kind = widest([a, b]);
    if (kind === 3) return decimalAdd([a, b], true);
    if (kind === 2) return storedDouble(toNumber(a) - toNumber(b));
    return sumOf([a, typeof b === 'number' ? -b : Long.fromBigInt(-BigInt(String(b)))]);
  }, (args) => (args.length === 2 ? args[0] - args[1] : 0)),
  $multiply: arithmetic(expressionOperators.$multiply as Expression, productOf, (args) => args.reduce((p, a) => p * a, 1)),
  $divide: arithmetic(expressionOperators.$divide as Expression, ([a, b]) => {
    if (widest([a, b]) === 3) return decimalDivide(a, b);
    if (toNumber(b) === 0) fail(16608, "can't $divide by zero");
    return storedDouble(toNumber(a) / toNumber(b));
  }, (args) => (args.length === 2 && args[1] !== 0 ? args[0] / args[1] : 0)),
  $sum: listArithmetic(sumOf, 0),
  $avg: listArithmetic(averageOf, null),
};

/** The values an accumulator's expression gives for each document, typed. */
function accumulated(coll: Doc[], expr: unknown, options: Options): unknown[] {
  return inMode(true, () => accumulatorOperators.$push(coll, expr, options) as unknown[]).filter(isNumeric);
}

export const TYPED_ACCUMULATORS: Record<string, Accumulator> = {
  $sum: (coll, expr, options) => {
    if (typeof expr === 'number' && isInt32Number(expr)) return sumOf(coll.map(() => expr));
    const values = accumulated(coll, expr, options);
    return result(values.length ? sumOf(values) : 0, true);
  },
  $avg: (coll, expr, options) => result(averageOf(accumulated(coll, expr, options)), true),
  // These keep their values' types (mingo's would see plain numbers, a Decimal128 as a double).
  $min: (coll, expr, options) => extreme(typedValues(coll, expr, options), -1),
  $max: (coll, expr, options) => extreme(typedValues(coll, expr, options), 1),
  $push: (coll, expr, options) => typedValues(coll, expr, options),
  $first: typedPick(accumulatorOperators.$first as Accumulator),
  $last: typedPick(accumulatorOperators.$last as Accumulator),
  $addToSet: (coll, expr, options) => {
    const seen = new Map<string, unknown>();
    for (const v of typedValues(coll, expr, options)) if (v !== undefined && !seen.has(canonicalKey(v))) seen.set(canonicalKey(v), v);
    return [...seen.values()];
  },
};

function isPlainCond(v: unknown): v is { if: unknown; then: unknown; else: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'if' in v && 'then' in v && 'else' in v;
}

/** `$first`/`$last`: mingo's, on the typed documents, so the value picked keeps its type. */
function typedPick(base: Accumulator): Accumulator {
  return (coll, expr, options) => {
    const v = inMode(true, () => base(coll, expr, options));
    if (v !== null && typeof v === 'object') wrappersMade = true;
    return v;
  };
}

export function typedValues(coll: Doc[], expr: unknown, options: Options): unknown[] {
  const values = inMode(true, () => accumulatorOperators.$push(coll, expr, options) as unknown[]);
  if (values.some((v) => v !== null && typeof v === 'object')) wrappersMade = true;
  return values;
}

/** The smallest (`sign` -1) or largest value in MongoDB's order, ignoring null and missing; null when none. */
function extreme(values: unknown[], sign: number): unknown {
  let best: unknown = undefined;
  for (const v of values) {
    if (v === undefined || v === null) continue;
    if (best === undefined || compareValues(v, best) * sign > 0) best = v;
  }
  return best ?? null;
}
