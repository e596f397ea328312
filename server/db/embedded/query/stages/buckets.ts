/**
 * `$bucketAuto` and `$sortByCount` on the stored documents. MongoDB's manual: `$sortByCount` is
 * `$group` by the expression with `count: {$sum: 1}` (an int32), then `$sort` by count descending;
 * `$bucketAuto`'s `_id.min` is the bucket's lowest groupBy value and `_id.max` the next bucket's
 * (the highest for the last), as the documents hold them, and its output fields are accumulators
 * over the bucket's documents, as `$group` computes them.
 */
import { Lazy, type Iterator } from 'mingo/lazy';
import * as pipelineOperators from 'mingo/operators/pipeline';
import type { Options } from 'mingo/types';
import { isPlainObject, type Doc } from '../../bson-values.js';
import { wrappersPresent } from '../arithmetic.js';
import { contextStage, POSITION, positionedCopies, refuseBigLongKeys, typedValue } from './typed-input.js';
import { WINDOW_FRAME } from './window-fields.js';
import { ErrorCodes, fail } from '../../errors.js';

export function $sortByCount(coll: Iterator, spec: unknown, options: Options): Iterator {
  const grouped = contextStage(options, '$group')(coll, { _id: spec, count: { $sum: 1 } }, options);
  return contextStage(options, '$sort')(grouped, { count: -1 }, options);
}

export function $bucketAuto(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  const docs = coll.collect() as Doc[];
  const copies = positionedCopies(docs);
  refuseBigLongKeys(copies, [s.groupBy], options, '$bucketAuto');
  // With a granularity the boundaries are computed numbers, whose types the server does not give as MongoDB does.
  if (s.granularity !== undefined && wrappersPresent()) fail(ErrorCodes.NotImplemented, '$bucketAuto with a granularity over int64, Decimal128 or integral double values is not supported by the embedded server');
  const output = isPlainObject(s.output) ? s.output : { count: { $sum: 1 } };
  const buckets = pipelineOperators.$bucketAuto(Lazy(copies), { ...s, output: { docs: { [WINDOW_FRAME]: 1 } } } as never, options).collect() as Doc[];
  const members = buckets.map((b) => (b.docs as Doc[]).map((c) => docs[c[POSITION] as number]));
  const group = contextStage(options, '$group');
  const out = buckets.map((b, i) => {
    const bucket = members[i];
    let id = b._id;
    if (s.granularity === undefined) {
      const min = typedValue(bucket[0], s.groupBy, options) ?? null;
      const last = i + 1 < members.length ? members[i + 1][0] : bucket[bucket.length - 1];
      id = { min, max: typedValue(last, s.groupBy, options) ?? null };
    }
    const [row] = group(Lazy(bucket), { _id: null, ...output }, options).collect() as Doc[];
    return { ...row, _id: id };
  });
  return Lazy(out);
}
