/**
 * mingo's aggregation with every operator it ships, except `$sort`, which is replaced by MongoDB's
 * sort order (cross-type ranks, null equal to missing, arrays by their smallest/largest element).
 *
 * One operator context for the whole process. mingo copies its operator tables whenever it is given
 * plain options (its own `Query`/`Aggregator` wrappers do so on every construction, several tables
 * of hundreds of entries), so every query, update and pipeline here is built from an options object
 * of mingo's own class that shares this context instead.
 */
import { Long } from 'bson';
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context, evalExpr, ProcessingMode } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import { canonicalKey, compareValues, hasNumberWrappers, idFirst, isPlainObject, plainNumbers, toNumber, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { beginAggregation, inMode, markWrappers, wrappersPresent, plainAccumulator, plainExpression, plainForMingo, TYPED_EXPRESSIONS } from './arithmetic.js';
import { parseCollation, type Collation } from './collation.js';
import { compileFilter } from './match.js';
import { checkProjection, sortDocs, withoutIdInclusion } from './shape.js';
import { $bucketAuto, $sortByCount } from './stages/buckets.js';
import { $densify } from './stages/densify.js';
import { $graphLookup } from './stages/graph-lookup.js';
import { $fill, $setWindowFields, WINDOW_FRAME, windowFrame } from './stages/window-fields.js';
import { ACCUMULATORS_ON_TYPED_VALUES as ACCUMULATORS, TYPED_VALUE_EXPRESSIONS } from './typed-values.js';

function $sort(coll: Iterator, spec: unknown, options: Options): Iterator {
  return Lazy(sortDocs(coll.collect() as Doc[], spec as Doc, parseCollation(options.collation)));
}

/** $match with the server's matcher: the pipeline's collation, number wrappers (mingo's compares strings binary). */
function $match(coll: Iterator, spec: unknown, options: Options): Iterator {
  const collation = parseCollation(options.collation);
  // A $lookup sub-pipeline's `let` variables are local to the options mingo hands the stage.
  const local = (options as { local?: { variables?: Doc } }).local?.variables;
  const variables = local ? { ...(options.variables as Doc | undefined), ...local } : (options.variables as Doc | undefined);
  const matches = compileFilter(spec as Doc, variables, collation);
  return coll.filter((doc) => matches(doc as Doc));
}

type Stage = (coll: Iterator, spec: never, options: Options) => Iterator;

/**
 * A one-document-in, one-document-out stage that computes some top-level fields and copies others
 * (`$addFields`/`$set`, `$project`). It sees the typed documents: copied fields keep their BSON
 * type, arithmetic computes with the operands' types (see arithmetic.ts), and mingo's other
 * operators get plain copies.
 */
function typedOneToOne(base: Stage): Stage {
  return (coll, spec, options) => {
    const docs = coll.collect() as Doc[];
    if (docs.some((d) => plainNumbers(d) !== d)) markWrappers();
    // Computed fields are stage output: arithmetic gives them MongoDB's result types.
    return Lazy(inMode(true, () => base(Lazy(docs), spec, options).collect()));
  };
}

/**
 * `$bucket`: mingo's buckets of the typed documents (its groupBy value compared with the
 * boundaries as a plain number), each bucket's output computed as `$group` computes a group's.
 */
function $bucket(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  const output = isPlainObject(s.output) ? s.output : { count: { $sum: 1 } };
  // Collected first: once the earlier stages have run, whether a typed number may be present is known.
  const docs = coll.collect();
  const groupBy = wrappersPresent() ? { [PLAIN]: s.groupBy } : s.groupBy;
  const buckets = pipelineOperators.$bucket(Lazy(docs), { ...s, groupBy, output: { docs: { [DOCS]: 1 } } } as never, options);
  return buckets.map((b) => {
    const { _id, docs } = b as { _id: unknown; docs: Doc[] };
    return { _id, ...accumulateGroup(docs, _id, output, Object.keys(output), options) };
  });
}

/** `$unwind`: mingo's, with the `includeArrayIndex` field an int64, as MongoDB gives it. */
function $unwind(coll: Iterator, spec: unknown, options: Options): Iterator {
  // mingo reads a path without `$` as no field and unwinds nothing; MongoDB refuses it.
  const path = isPlainObject(spec) ? spec.path : spec;
  if (typeof path !== 'string') fail(15981, `expected either a string or an object as specification for $unwind stage, got ${typeof path}`);
  if (!path.startsWith('$')) fail(28818, `path option to $unwind stage should be prefixed with a '$': ${path}`);
  const unwound = pipelineOperators.$unwind(coll, spec as never, options);
  const field = isPlainObject(spec) && typeof spec.includeArrayIndex === 'string' && !spec.includeArrayIndex.includes('.') ? spec.includeArrayIndex : undefined;
  if (!field) return unwound;
  markWrappers();
  return unwound.map((d) => (typeof (d as Doc)[field] === 'number' ? { ...(d as Doc), [field]: Long.fromNumber((d as Doc)[field]) } : d));
}

/**
 * `$sample`: `size` documents picked at random without replacement (all of them, in random order, when there are
 * no more than `size`), as MongoDB's random sort returns them; mingo picks with replacement, repeating documents.
 */
function $sample(coll: Iterator, spec: unknown): Iterator {
  const size = Math.trunc(toNumber((spec as Doc).size));
  const docs = coll.collect() as Doc[];
  // A partial Fisher-Yates shuffle: the first `size` places get distinct documents.
  const picked = docs.slice();
  const n = Math.min(size, picked.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (picked.length - i));
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  return Lazy(picked.slice(0, n));
}

/** An internal accumulator: the group's documents themselves. */
const DOCS = '$embeddedDocuments';

/** An internal operator: its operand's value with plain numbers (see plainNumbers). */
const PLAIN = '$embeddedPlainNumbers';

/** The operators above are the server's own plumbing: a client's pipeline naming one is refused as MongoDB refuses any unknown expression. */
export const INTERNAL_OPERATORS: readonly string[] = [DOCS, PLAIN, WINDOW_FRAME];
const plainValue = (obj: Doc, expr: unknown, options: Options): unknown => plainNumbers(evalExpr(obj, expr, options));

const $addFields = typedOneToOne(pipelineOperators.$addFields as unknown as Stage);
const $set = typedOneToOne(pipelineOperators.$set as unknown as Stage);
const projectTyped = typedOneToOne(pipelineOperators.$project as unknown as Stage);

/** $project keeps `_id` first, as MongoDB returns it (mingo appends it after the projected fields). */
function $project(coll: Iterator, spec: unknown, options: Options): Iterator {
  const projection = isPlainObject(spec) ? withoutIdInclusion(spec, checkProjection(spec, '$project')) : spec;
  return projectTyped(coll, projection as never, options).map((d) => idFirst(d as Doc));
}

/** A `$group` specification as MongoDB's parser checks it (mingo would group without an _id or skip a bad field). */
export function checkGroupSpec(expr: unknown): asserts expr is Doc {
  if (!isPlainObject(expr)) fail(15947, 'a group\'s fields must be specified in an object');
  if (!('_id' in expr)) fail(15955, 'a group specification must include an _id');
  for (const [field, acc] of Object.entries(expr)) {
    if (field === '_id') continue;
    if (field.includes('.')) fail(40235, `The field name '${field}' cannot contain '.'`);
    if (!isPlainObject(acc) || Object.keys(acc).length !== 1) fail(40238, `The field '${field}' must specify one accumulator`);
    const op = Object.keys(acc)[0];
    if (!(op in CONTEXT_ACCUMULATORS)) fail(15952, `unknown group operator '${op}'`);
  }
}

/**
 * `$group`: documents whose `_id` values are equal (by value across number types, under the
 * collation if any) form one group, keyed by its first document's value, as MongoDB groups them;
 * accumulators are the context's, applied to each group (checkCollatedPipeline refuses those that
 * compare values without the collation).
 */
function $group(coll: Iterator, spec: unknown, options: Options): Iterator {
  const collation = parseCollation(options.collation);
  const expr = spec as Doc;
  checkGroupSpec(expr);
  const fields = Object.keys(expr).filter((k) => k !== '_id');
  const partitions = new Map<string, { id: unknown; docs: Doc[] }>();
  for (const doc of coll.collect() as Doc[]) {
    // The key is output: its first document's value, with its types.
    const id = inMode(true, () => evalExpr(doc, expr._id, options));
    // Group keys compare by value across number types (and under the collation).
    const key = collation ? collation.key(id ?? null) : canonicalKey(id ?? null);
    const group = partitions.get(key);
    if (group) group.docs.push(doc);
    else {
      if (plainNumbers(id) !== id) markWrappers();
      partitions.set(key, { id: id ?? null, docs: [doc] });
    }
  }
  return Lazy([...partitions.values()].map(({ id, docs }) => accumulateGroup(docs, id, expr, fields, options)));
}

/** A group's output document: `_id` and each field's accumulator over the group's documents. */
function accumulateGroup(docs: Doc[], id: unknown, expr: Doc, fields: string[], options: Options): Doc {
  const collation = parseCollation(options.collation);
  const row: Doc = {};
  if (id !== undefined) row._id = id;
  const groupOptions = (mingoOptions(optionsOf(options)) as unknown as { update(locals: Doc): Options }).update({ root: null, groupId: id });
  for (const f of fields) {
    const acc = expr[f];
    const op = isPlainObject(acc) && Object.keys(acc).length === 1 ? Object.keys(acc)[0] : undefined;
    if (op && collation && COLLATED_ACCUMULATORS.has(op)) row[f] = collatedAccumulator(op, docs.map((d) => evalExpr(d, acc[op], options)), collation);
    // Called directly: through evalExpr, mingo would take the expression operator of the same name.
    else if (op && ACCUMULATORS[op]) row[f] = ACCUMULATORS[op](docs, acc[op], groupOptions);
    else row[f] = evalExpr(docs, acc, groupOptions);
  }
  return row;
}

/** Accumulators that compare values, computed here under the collation. */
const COLLATED_ACCUMULATORS = new Set(['$min', '$max', '$addToSet']);

/** `$min`/`$max` (ignoring null and missing values, null when none is left) and `$addToSet` under a collation. */
function collatedAccumulator(op: string, values: unknown[], collation: Collation): unknown {
  if (op === '$addToSet') {
    const seen = new Map<string, unknown>();
    for (const v of values) if (v !== undefined && !seen.has(collation.key(v))) seen.set(collation.key(v), v);
    return [...seen.values()];
  }
  let best: unknown = undefined;
  for (const v of values) {
    if (v === undefined || v === null) continue;
    const c = best === undefined ? 0 : compareValues(v, best, collation.compare);
    if (best === undefined || (op === '$min' ? c < 0 : c > 0)) best = v;
  }
  return best ?? null;
}

/** The plain settings of a mingo options object (collation, variables, resolver...), to derive another. */
function optionsOf(options: Options): Partial<Options> {
  const { collation, variables, collectionResolver, useStrictMode, scriptEnabled } = options;
  return { collation, variables, collectionResolver, useStrictMode, scriptEnabled };
}

/** The values a `$lookup` field matches by: each element of an array, null for a missing field. */
function lookupValues(doc: Doc, path: string): unknown[] {
  const v = resolve(doc, path);
  if (v === undefined || v === null) return [null];
  return Array.isArray(v) ? (v.length ? v : [v]) : [v];
}

/** A join key equal for equal values: a number itself (the common case, no string made), else canonicalKey. */
function joinKey(v: unknown): unknown {
  const p = plainNumbers(v);
  if (typeof p === 'number' && (Number.isSafeInteger(p) || !Number.isInteger(p))) return p === 0 ? 0 : p;
  return canonicalKey(p);
}

/** A `$lookup` spec with its `let` variables computed for one document, with their number types (mingo would compute them plain). */
function withTypedLet(spec: Doc, obj: Doc, options: Options): Doc {
  if (!isPlainObject(spec.let)) return spec;
  const values = Object.entries(spec.let).map(([k, e]) => [k, inMode(true, () => evalExpr(obj, e, options))] as const);
  if (values.some(([, v]) => plainNumbers(v) !== v)) markWrappers();
  return { ...spec, let: Object.fromEntries(values.map(([k, v]) => [k, { $literal: v }])) };
}

/**
 * `$lookup` by localField/foreignField: values equal by value across number types (and under the
 * collation, if any) join, as MongoDB matches them (mingo's join compares number wrappers by
 * identity and strings binary). With a sub-pipeline as well, it runs on the matching documents.
 * The pipeline-only form is mingo's (a sub-pipeline's `$match` and comparisons handle typed
 * numbers and the collation themselves).
 */
function $lookup(coll: Iterator, spec: unknown, options: Options): Iterator {
  const collation = parseCollation(options.collation);
  const s = spec as Doc;
  if (typeof s.localField !== 'string' || typeof s.foreignField !== 'string') {
    if (!isPlainObject(s.let)) return pipelineOperators.$lookup(coll, s as never, options);
    // One document at a time, for its typed variables; the other collection is read once.
    const from = typeof s.from === 'string' ? (options.collectionResolver?.(s.from) ?? []) : s.from;
    return coll.map((obj) => pipelineOperators.$lookup(Lazy([obj]), withTypedLet({ ...s, from }, obj as Doc, options) as never, options).collect()[0]);
  }
  const key = collation ? (v: unknown) => collation.key(v) : joinKey;
  const foreign = (options.collectionResolver?.(String(s.from)) ?? []) as Doc[];
  const byKey = new Map<unknown, number[]>();
  foreign.forEach((doc, i) => {
    const values = lookupValues(doc, s.foreignField);
    for (const k of values.length === 1 ? [key(values[0])] : new Set(values.map(key))) {
      const list = byKey.get(k);
      if (list) list.push(i);
      else byKey.set(k, [i]);
    }
  });
  const sub = Array.isArray(s.pipeline) && s.pipeline.length > 0 ? { as: s.as, let: s.let, pipeline: s.pipeline } : undefined;
  const none: number[] = [];
  return coll.map((obj) => {
    const values = lookupValues(obj as Doc, s.localField);
    let indexes = values.length === 1 ? (byKey.get(key(values[0])) ?? none) : undefined;
    if (!indexes) {
      const found = new Set<number>();
      for (const v of values) for (const i of byKey.get(key(v)) ?? none) found.add(i);
      indexes = [...found].sort((a, b) => a - b);
    }
    const matched = indexes.map((i) => foreign[i]);
    if (!sub) return { ...(obj as Doc), [s.as]: matched };
    return pipelineOperators.$lookup(Lazy([obj]), withTypedLet({ ...sub, from: matched }, obj as Doc, options) as never, options).collect()[0];
  });
}

/**
 * Aggregation comparisons (`$eq`, `$gt`, `$cmp`...) under a non-simple collation compare with
 * MongoDB's order and the collation's string order (a missing value sorts before null). Without
 * a collation they are mingo's, but for number wrappers (compared by value, as MongoDB does).
 */
function collatedComparison(base: (obj: Doc, expr: unknown, options: Options) => unknown, test: (c: number) => boolean | number) {
  return (obj: Doc, expr: unknown, options: Options): unknown => {
    const collation: Collation | undefined = parseCollation(options.collation);
    if (!collation && !Array.isArray(expr)) return base(obj, expr, options);
    if (!Array.isArray(expr) || expr.length !== 2) fail(ErrorCodes.BadValue, 'comparison operators take exactly 2 arguments');
    const [a, b] = evalExpr(obj, expr, options) as unknown[];
    // mingo compares an int64 beyond 2^53 (a Long even in plain copies) or a typed literal as an object, and
    // documents without their field order (MongoDB's {x: 1, y: 2} and {y: 2, x: 1} differ): those compare here.
    const whole = (v: unknown) => v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v));
    if (!collation && !hasNumberWrappers(a) && !hasNumberWrappers(b) && !whole(a) && !whole(b)) return base(obj, [{ $literal: a }, { $literal: b }], options);
    const c = a === undefined || b === undefined ? (a === b ? 0 : a === undefined ? -1 : 1) : compareValues(a, b, collation?.compare);
    return test(c);
  };
}

const COLLATED_COMPARISONS = {
  $eq: collatedComparison(expressionOperators.$eq, (c) => c === 0),
  $ne: collatedComparison(expressionOperators.$ne, (c) => c !== 0),
  $gt: collatedComparison(expressionOperators.$gt, (c) => c > 0),
  $gte: collatedComparison(expressionOperators.$gte, (c) => c >= 0),
  $lt: collatedComparison(expressionOperators.$lt, (c) => c < 0),
  $lte: collatedComparison(expressionOperators.$lte, (c) => c <= 0),
  $cmp: collatedComparison(expressionOperators.$cmp, (c) => c),
};

/** Stages whose string comparisons the server applies the collation to, or that compare no strings. */
const COLLATED_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$count', '$unwind', '$project', '$addFields', '$set', '$unset',
  '$replaceRoot', '$replaceWith', '$sample', '$out', '$merge', '$documents', '$group', '$lookup', '$unionWith',
]);
/**
 * Expression operators that compare values without the collation (the comparisons in
 * COLLATED_COMPARISONS, and `$cond`/`$switch`/`$filter` built on them, apply it).
 */
const COMPARING_EXPRESSIONS = new Set([
  '$in', '$indexOfArray', '$setEquals', '$setIntersection', '$setUnion', '$setDifference', '$setIsSubset', '$max', '$min',
  '$sortArray', '$addToSet', '$top', '$bottom', '$topN', '$bottomN', '$maxN', '$minN',
]);

/** The first expression operator in `v` that compares values without the collation, if any. */
export function usesComparison(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = usesComparison(x);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (COMPARING_EXPRESSIONS.has(k)) return k;
    const found = usesComparison(x);
    if (found) return found;
  }
  return undefined;
}



/**
 * Under a non-simple collation, a stage that would compare strings without it ($group keys,
 * expression comparisons) answers NotImplemented instead of a binary-collation result.
 */
export function checkCollatedPipeline(pipeline: Doc[]): void {
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0];
    const arg = stage[op];
    if (op === '$facet' && isPlainObject(arg)) {
      for (const sub of Object.values(arg)) if (Array.isArray(sub)) checkCollatedPipeline(sub);
      continue;
    }
    if (!COLLATED_STAGES.has(op)) fail(ErrorCodes.NotImplemented, `${op} with a non-simple collation is not supported by the embedded server`);
    if (op === '$match' || op === '$sort') continue;
    if (op === '$unionWith') {
      if (isPlainObject(arg) && Array.isArray(arg.pipeline)) checkCollatedPipeline(arg.pipeline);
      continue;
    }
    if (op === '$lookup' && isPlainObject(arg)) {
      if (arg.localField !== undefined && arg.pipeline !== undefined) fail(ErrorCodes.NotImplemented, '$lookup with both localField and a pipeline under a non-simple collation is not supported by the embedded server');
      if (Array.isArray(arg.pipeline)) checkCollatedPipeline(arg.pipeline);
      if (arg.let !== undefined && usesComparison(arg.let)) fail(ErrorCodes.NotImplemented, `${usesComparison(arg.let)} in $lookup with a non-simple collation is not supported by the embedded server`);
      continue;
    }
    if (op === '$group' && isPlainObject(arg)) {
      // $min, $max and $addToSet accumulators compare under the collation (see $group); their inputs must not.
      for (const [field, acc] of Object.entries(arg)) {
        const [accOp, accArg] = field === '_id' || !isPlainObject(acc) ? [undefined, acc] : (Object.entries(acc)[0] ?? []);
        const comparison = (accOp && !COLLATED_ACCUMULATORS.has(accOp) && COMPARING_EXPRESSIONS.has(accOp) ? accOp : undefined) ?? usesComparison(accArg);
        if (comparison) fail(ErrorCodes.NotImplemented, `${comparison} in $group with a non-simple collation is not supported by the embedded server`);
      }
      continue;
    }
    const comparison = usesComparison(arg);
    if (comparison) fail(ErrorCodes.NotImplemented, `${comparison} in ${op} with a non-simple collation is not supported by the embedded server`);
  }
}

/** Every operator in a table wrapped, but those replaced. */
function wrapAll<F>(table: Record<string, F>, wrap: (f: F, name: string) => F, replaced: Record<string, F>): Record<string, F> {
  const out: Record<string, F> = {};
  for (const [k, f] of Object.entries(table)) out[k] = replaced[k] ?? wrap(f, k);
  return out;
}

/** Stages that handle typed numbers themselves (the others get plain copies once a typed result exists). */
const TYPED_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$count', '$unwind', '$unset', '$sample', '$project', '$addFields', '$set', '$facet', '$group',
  '$lookup', '$replaceRoot', '$replaceWith', '$unionWith', '$redact', '$bucket', '$documents', '$setWindowFields',
  '$fill', '$sortByCount', '$bucketAuto', '$graphLookup', '$densify',
]);

const plainStage = (base: Stage): Stage => (coll, spec, options) => base(coll.map((d) => plainForMingo(d)), spec, options);

const PIPELINE: Record<string, Stage> = {
  ...(pipelineOperators as unknown as Record<string, Stage>),
  $sort: $sort as Stage,
  $match: $match as Stage,
  $project: $project as Stage,
  $addFields: $addFields,
  $set: $set,
  $group: $group as Stage,
  $lookup: $lookup as Stage,
  $unwind: $unwind as Stage,
  $sample: $sample as Stage,
  // Their new documents are stage output: picked values keep their types, arithmetic gives MongoDB's.
  $replaceRoot: typedOneToOne(pipelineOperators.$replaceRoot as unknown as Stage),
  $replaceWith: typedOneToOne(pipelineOperators.$replaceWith as unknown as Stage),
  $bucket: $bucket as Stage,
  // The server's own (query/stages/): stored documents in, typed values out.
  $setWindowFields: $setWindowFields as Stage,
  $fill: $fill as Stage,
  $sortByCount: $sortByCount as Stage,
  $bucketAuto: $bucketAuto as Stage,
  $graphLookup: $graphLookup as Stage,
  $densify: $densify as Stage,
};

/**
 * Server-side JavaScript: a client's code arrives as a string (or BSON Code), which mingo cannot
 * call, so it is refused. mingo's own stages ($setWindowFields, $fill) pass JavaScript functions,
 * which run as before.
 */
function refuseJavaScript<F extends (...args: any[]) => unknown>(name: string, base: F, code: string): F {
  return ((...args: any[]) => {
    const spec: unknown = args[1];
    if (isPlainObject(spec) && typeof spec[code] === 'function') return base(...args);
    return fail(ErrorCodes.NotImplemented, `${name} (server-side JavaScript) is not supported by the embedded server`);
  }) as F;
}

/** `$substrCP` refuses a negative start (34455) or length (34454), as MongoDB does; mingo returns the rest of the string. */
const checkedSubstrCP = (obj: Doc, expr: unknown, options: Options): unknown => {
  const args = evalExpr(obj, expr, options);
  if (Array.isArray(args) && args.length === 3) {
    if (toNumber(args[2]) < 0) fail(34454, '$substrCP: length must be a nonnegative integer.');
    if (toNumber(args[1]) < 0) fail(34455, '$substrCP: the starting index must be nonnegative integer.');
  }
  return plainExpression((expressionOperators as any).$substrCP, '$substrCP')(obj, expr, options);
};

/** The accumulators `$group` takes (mingo's, typed where typed-values.ts has its own), by name. */
const CONTEXT_ACCUMULATORS: Record<string, unknown> = { ...wrapAll(accumulatorOperators as unknown as Record<string, any>, plainAccumulator, { ...ACCUMULATORS, $accumulator: refuseJavaScript('$accumulator', plainAccumulator((accumulatorOperators as any).$accumulator), 'init') }), [DOCS]: (coll: Doc[]) => coll, [WINDOW_FRAME]: windowFrame };

const CONTEXT = Context.init({
  accumulator: CONTEXT_ACCUMULATORS as unknown as typeof accumulatorOperators,
  expression: { ...wrapAll({ ...expressionOperators, ...COLLATED_COMPARISONS } as unknown as Record<string, any>, plainExpression, { ...TYPED_EXPRESSIONS, ...TYPED_VALUE_EXPRESSIONS, $function: refuseJavaScript('$function', plainExpression((expressionOperators as any).$function, '$function'), 'body'), $substrCP: checkedSubstrCP }), [PLAIN]: plainValue } as unknown as typeof expressionOperators,
  pipeline: Object.fromEntries(Object.entries(PIPELINE).map(([k, f]) => [k, TYPED_STAGES.has(k) ? f : plainStage(f)])) as unknown as typeof pipelineOperators,
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

/**
 * Stages that run none of mingo's operators on stored values, or ($project, $addFields, $set, see
 * typedOneToOne) look for number wrappers in their input themselves. Every stage sees the typed
 * documents; a pipeline with any other stage has its input scanned for wrappers first, so that
 * mingo's operators get plain copies (see query/arithmetic.ts, README on numeric types).
 */
const PASS_THROUGH_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$count', '$unwind', '$unset', '$sample', '$out', '$merge', '$documents']);

function isPassThrough(stage: Doc): boolean {
  const [op, arg] = Object.entries(stage)[0] ?? [];
  if (PASS_THROUGH_STAGES.has(op)) return true;
  // These look for wrappers in their input themselves (typedOneToOne).
  if (op === '$project' || op === '$addFields' || op === '$set') return true;
  if (op === '$facet' && isPlainObject(arg)) return Object.values(arg).every((sub) => Array.isArray(sub) && sub.every(isPassThrough));
  return false;
}

/** Whether a pipeline needs no scan of its input for number wrappers (see PASS_THROUGH_STAGES). */
export function keepsNumberTypes(pipeline: Doc[]): boolean {
  return pipeline.every(isPassThrough);
}

/** Whether the server knows a stage name (it may still refuse it as unsupported). */
export function isKnownStage(op: string): boolean {
  return op in pipelineOperators || op === '$out' || op === '$merge';
}

/** mingo's defaults (see its ComputeOptions.init), with the shared context. */
const DEFAULTS: Options = {
  idKey: '_id',
  scriptEnabled: true,
  useStrictMode: true,
  failOnError: true,
  processingMode: ProcessingMode.CLONE_OFF,
  context: CONTEXT,
};

type ComputeOptionsClass = new (options: Options) => Options;

/** mingo does not export its ComputeOptions class: a one-off pipeline stage hands us an instance. */
const ComputeOptions: ComputeOptionsClass = (() => {
  let captured: object | undefined;
  const probe = Context.init({ pipeline: { $probe: (iter: Iterator, _expr: unknown, options: object) => ((captured = options), iter) } });
  new AggregatorBase([{ $probe: 1 }], { context: probe }).run([]);
  return captured!.constructor as ComputeOptionsClass;
})();

/** Options for one mingo call, sharing the process-wide context (nothing copied). */
export function mingoOptions(options?: Partial<Options>): Options {
  return new ComputeOptions({ ...DEFAULTS, ...options, context: CONTEXT });
}

/** A mingo query over documents taken as they are (the caller has replaced number wrappers). */
export function createRawQuery(condition: Doc, variables?: Doc, collation?: Collation): QueryBase {
  return new QueryBase(condition, mingoOptions({ ...(variables ? { variables } : {}), ...(collation ? { collation: collation.spec as never } : {}) }));
}

/** mingo's query testing documents with number wrappers replaced by plain numbers (see plainNumbers). */
class Query extends QueryBase {
  override test(obj: Doc): boolean {
    return super.test(plainNumbers(obj));
  }
}

export function createQuery(condition: Doc, variables?: Doc): QueryBase {
  return new Query(plainNumbers(condition), mingoOptions(variables ? { variables: plainNumbers(variables) } : undefined));
}

/** mingo's aggregator, bracketing each run for typed arithmetic results (see arithmetic.ts). */
class Aggregator extends AggregatorBase {
  override run<T>(collection: unknown, options?: Options): T[] {
    const end = beginAggregation();
    try {
      return super.run(collection as never, options) as T[];
    } finally {
      end();
    }
  }
}

export function createAggregator(pipeline: Doc[], options?: Partial<Options>): AggregatorBase {
  return new Aggregator(pipeline, mingoOptions(options));
}
