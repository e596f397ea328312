/**
 * mingo's aggregation with every operator it ships, except `$sort`, which is replaced by MongoDB's
 * sort order (cross-type ranks, null equal to missing, arrays by their smallest/largest element).
 */
import { Aggregator } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
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

export function createAggregator(pipeline: Doc[], options: Partial<Options>): Aggregator {
  return new Aggregator(pipeline, { ...options, context: CONTEXT });
}
