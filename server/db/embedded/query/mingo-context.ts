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
import type { Doc } from '../bson-values.js';
import { sortDocs } from './shape.js';

function $sort(coll: Iterator, spec: unknown): Iterator {
  return Lazy(sortDocs(coll.collect() as Doc[], spec as Doc));
}

const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: { ...pipelineOperators, $sort: $sort as typeof pipelineOperators.$sort },
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

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

export function createQuery(condition: Doc, variables?: Doc): QueryBase {
  return new QueryBase(condition, mingoOptions(variables ? { variables } : undefined));
}

export function createAggregator(pipeline: Doc[], options?: Partial<Options>): AggregatorBase {
  return new AggregatorBase(pipeline, mingoOptions(options));
}
