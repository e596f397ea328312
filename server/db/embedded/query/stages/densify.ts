/**
 * `$densify` on the stored documents: mingo finds the gaps on plain copies; the documents it passes
 * through are returned as stored, and the documents it makes hold the partition fields' values as
 * the partition's documents hold them. A made value is the previous value plus `step` (MongoDB adds
 * them), so its type is that sum's: a double when the step or the values are doubles, an int32 when
 * all are int32. Other mixes (int64, Decimal128, int32 values with doubles) are refused.
 */
import { Lazy, type Iterator } from 'mingo/lazy';
import * as pipelineOperators from 'mingo/operators/pipeline';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import { canonicalKey, isPlainObject, plainNumbers, storedDouble, type Doc } from '../../bson-values.js';
import { ErrorCodes, fail } from '../../errors.js';
import { markWrappers } from '../arithmetic.js';
import { numberKind } from '../numbers.js';
import { POSITION, positionedCopies, withField } from './typed-input.js';

const INT32 = 0;
const DOUBLE = 2;

/** The BSON type of the values $densify makes: int32 (0) or double (2); other cases are refused. */
function madeKind(docs: Doc[], field: string, range: Doc): number {
  const stepKind = numberKind(range.step);
  const valueKinds = new Set<number | undefined>();
  if (Array.isArray(range.bounds)) for (const b of range.bounds) valueKinds.add(numberKind(b));
  for (const d of docs) {
    const v = resolve(d, field);
    if (v !== null && v !== undefined) valueKinds.add(numberKind(v));
  }
  valueKinds.delete(undefined); // not numbers: mingo's validation answers them
  if (stepKind === 1 || stepKind === 3 || valueKinds.has(1) || valueKinds.has(3)) fail(ErrorCodes.NotImplemented, '$densify of int64 or Decimal128 values is not supported by the embedded server');
  // A double step makes doubles of any value; an int32 step keeps the values' type.
  if (stepKind === DOUBLE) return DOUBLE;
  if (valueKinds.size > 1) fail(ErrorCodes.NotImplemented, '$densify of int32 and double values together with an int32 step is not supported by the embedded server');
  return valueKinds.has(DOUBLE) ? DOUBLE : INT32;
}

export function $densify(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  const docs = coll.collect() as Doc[];
  const copies = positionedCopies(docs);
  const range = isPlainObject(s.range) ? s.range : {};
  const field = String(s.field);
  const kind = range.unit === undefined ? madeKind(docs, field, range) : INT32;
  const partitionFields: string[] = Array.isArray(s.partitionByFields) ? s.partitionByFields : [];
  const partitionOf = (d: Doc): string => canonicalKey(partitionFields.map((f) => plainNumbers(resolve(d, f))));
  const partitions = new Map<string, Doc>();
  for (const d of docs) if (!partitions.has(partitionOf(d))) partitions.set(partitionOf(d), d);
  const made = pipelineOperators.$densify(Lazy(copies), plainNumbers(s) as never, options).map((o) => {
    const c = o as Doc;
    if (POSITION in c) return docs[c[POSITION] as number];
    const out: Doc = {};
    const value = c[field];
    const source = partitions.get(partitionOf(c));
    for (const f of partitionFields) withField(out, f, source ? resolve(source, f) : c[f]);
    withField(out, field, kind === DOUBLE && typeof value === 'number' ? storedDouble(value) : value);
    return out;
  });
  if (kind === DOUBLE) markWrappers();
  return made;
}
