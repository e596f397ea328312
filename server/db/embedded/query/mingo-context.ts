/**
 * mingo's aggregation with every operator it ships, except `$sort`, which is replaced by MongoDB's
 * sort order (cross-type ranks, null equal to missing, arrays by their smallest/largest element).
 *
 * One operator context for the whole process. mingo copies its operator tables whenever it is given
 * plain options (its own `Query`/`Aggregator` wrappers do so on every construction, several tables
 * of hundreds of entries), so every query, update and pipeline here is built from an options object
 * of mingo's own class that shares this context instead.
 */
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context, ProcessingMode } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import type { Options } from 'mingo/types';
import { idFirst, isPlainObject, plainNumbers, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { parseCollation } from './collation.js';
import { compileFilter } from './match.js';
import { sortDocs } from './shape.js';

function $sort(coll: Iterator, spec: unknown, options: Options): Iterator {
  return Lazy(sortDocs(coll.collect() as Doc[], spec as Doc, parseCollation(options.collation)));
}

/** $match with the server's matcher: the pipeline's collation, number wrappers (mingo's compares strings binary). */
function $match(coll: Iterator, spec: unknown, options: Options): Iterator {
  const collation = parseCollation(options.collation);
  const matches = compileFilter(spec as Doc, options.variables as Doc | undefined, collation);
  return coll.filter((doc) => matches(doc as Doc));
}

/** $project keeps `_id` first, as MongoDB returns it (mingo appends it after the projected fields). */
function $project(coll: Iterator, spec: unknown, options: Options): Iterator {
  return pipelineOperators.$project(coll, spec as Doc, options).map((d) => idFirst(d as Doc));
}

/** Stages whose string comparisons the server applies the collation to, or that compare no strings. */
const COLLATED_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$count', '$unwind', '$project', '$addFields', '$set', '$unset',
  '$replaceRoot', '$replaceWith', '$sample', '$out', '$merge', '$documents',
]);
/** Expression operators that compare values, so their result depends on the collation. */
const COMPARING_EXPRESSIONS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$cmp', '$in', '$indexOfArray', '$setEquals', '$setIntersection',
  '$setUnion', '$setDifference', '$setIsSubset', '$max', '$min', '$sortArray', '$filter', '$switch', '$cond',
]);

function usesComparison(v: unknown): string | undefined {
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

function referencesField(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('$');
  if (Array.isArray(v)) return v.some(referencesField);
  return isPlainObject(v) && Object.values(v).some(referencesField);
}

/** A $group with a constant key whose accumulators never compare values (countDocuments' shape). */
function groupIgnoresStrings(spec: Doc): boolean {
  if (referencesField(spec._id)) return false;
  return Object.entries(spec).every(([k, acc]) => k === '_id' || (isPlainObject(acc) && Object.keys(acc).every((op) => ['$sum', '$avg', '$count', '$push', '$first', '$last'].includes(op)) && !usesComparison(acc)));
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
    if (op === '$group' && isPlainObject(arg) && groupIgnoresStrings(arg)) continue;
    if (!COLLATED_STAGES.has(op)) fail(ErrorCodes.NotImplemented, `${op} with a non-simple collation is not supported by the embedded server`);
    if (op === '$match' || op === '$sort') continue;
    const comparison = usesComparison(arg);
    if (comparison) fail(ErrorCodes.NotImplemented, `${comparison} in ${op} with a non-simple collation is not supported by the embedded server`);
  }
}

const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: { ...pipelineOperators, $sort: $sort as typeof pipelineOperators.$sort, $match: $match as typeof pipelineOperators.$match, $project: $project as typeof pipelineOperators.$project },
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

/**
 * Stages that pass documents through without computing on their values, so stored documents keep
 * their number types through them; any other stage makes the pipeline see plain numbers (mingo
 * computes with plain numbers only), see README on numeric types.
 */
const PASS_THROUGH_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$count', '$unwind', '$unset', '$sample', '$out', '$merge', '$documents']);

function isPassThrough(stage: Doc): boolean {
  const [op, arg] = Object.entries(stage)[0] ?? [];
  if (PASS_THROUGH_STAGES.has(op)) return true;
  // An inclusion or exclusion projection copies values.
  if (op === '$project' && isPlainObject(arg)) return Object.values(arg).every((v) => v === 0 || v === 1 || v === true || v === false);
  if (op === '$facet' && isPlainObject(arg)) return Object.values(arg).every((sub) => Array.isArray(sub) && sub.every(isPassThrough));
  return false;
}

/** Whether a pipeline may see stored documents with their number wrappers (else see plainNumbers). */
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
export function createRawQuery(condition: Doc, variables?: Doc): QueryBase {
  return new QueryBase(condition, mingoOptions(variables ? { variables } : undefined));
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

export function createAggregator(pipeline: Doc[], options?: Partial<Options>): AggregatorBase {
  return new AggregatorBase(pipeline, mingoOptions(options));
}
