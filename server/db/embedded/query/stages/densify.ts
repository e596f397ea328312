/**
 * `$densify` on the stored documents, as MongoDB's manual describes it: documents pass through as
 * stored (those without the field too); in each partition (by `partitionByFields`) documents are
 * added for the values from the lower bound, stepping by `step`, below the upper bound, that no
 * document of the partition holds. Bounds: `[lower, upper)` given, `"full"` (the field's lowest and
 * highest values in all documents) or `"partition"` (in the partition's). A made document holds the
 * field and the partition fields (their values as the partition's documents hold them). Each made
 * value is the previous one plus `step` (MongoDB adds them), so its type is that sum's: a double
 * with a double step or double values, an int32 when all are int32; int64 or Decimal128 values or
 * steps and int32 values mixed with doubles are refused.
 */
import { evalExpr } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as pipelineOperators from 'mingo/operators/pipeline';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import { canonicalKey, plainNumbers, storedDouble, type Doc } from '../../bson-values.js';
import { ErrorCodes, fail } from '../../errors.js';
import { markWrappers } from '../arithmetic.js';
import { numberKind } from '../numbers.js';
import { withField } from './typed-input.js';

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
  valueKinds.delete(undefined); // not numbers: refused below as MongoDB refuses them
  if (stepKind === 1 || stepKind === 3 || valueKinds.has(1) || valueKinds.has(3)) fail(ErrorCodes.NotImplemented, '$densify of int64 or Decimal128 values is not supported by the embedded server');
  // A double step makes doubles of any value; an int32 step keeps the values' type.
  if (stepKind === DOUBLE) return DOUBLE;
  if (valueKinds.size > 1) fail(ErrorCodes.NotImplemented, '$densify of int32 and double values together with an int32 step is not supported by the embedded server');
  return valueKinds.has(DOUBLE) ? DOUBLE : INT32;
}

type Value = number | Date;
type Partition = { source: Doc | undefined; held: Set<string>; docs: Doc[]; min?: Value; max?: Value };

export function $densify(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  // mingo's validation of the specification (field, step, unit, bounds), without data.
  pipelineOperators.$densify(Lazy([]), plainNumbers(s) as never, options).collect();
  const range = s.range as Doc;
  const field = String(s.field);
  const unit: string | undefined = range.unit;
  const step = plainNumbers(range.step) as number;
  if (!(step > 0)) fail(ErrorCodes.BadValue, "$densify 'range.step' must be a positive number");
  const docs = coll.collect() as Doc[];
  const kind = unit === undefined ? madeKind(docs, field, range) : INT32;
  const next = (v: Value): Value => (unit === undefined ? (v as number) + step : (evalExpr({}, { $dateAdd: { startDate: { $literal: v }, unit, amount: step } }, options) as Date));
  const partitionFields: string[] = Array.isArray(s.partitionByFields) ? s.partitionByFields : [];
  const partitionOf = (d: Doc): string => canonicalKey(partitionFields.map((f) => resolve(d, f) ?? null));
  const passed: Doc[] = [];
  const partitions = new Map<string, Partition>();
  let min: Value | undefined;
  let max: Value | undefined;
  for (const doc of docs) {
    const raw = resolve(doc, field);
    if (raw === null || raw === undefined) {
      passed.push(doc);
      continue;
    }
    const v = plainNumbers(raw) as Value;
    if (unit === undefined ? typeof v !== 'number' : !(v instanceof Date)) fail(ErrorCodes.BadValue, "$densify field values must be numbers with 'range.unit' unspecified, or dates with it");
    const key = partitionOf(doc);
    let p = partitions.get(key);
    if (!p) partitions.set(key, (p = { source: doc, held: new Set(), docs: [] }));
    p.held.add(canonicalKey(v));
    p.docs.push(doc);
    if (p.min === undefined || v < p.min) p.min = v;
    if (p.max === undefined || v > p.max) p.max = v;
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  const bounds = Array.isArray(range.bounds) ? (plainNumbers(range.bounds) as Value[]) : undefined;
  // Given bounds make documents even without input documents.
  if (bounds && partitions.size === 0) partitions.set(partitionOf({}), { source: undefined, held: new Set(), docs: [] });
  const out = [...passed];
  for (const p of partitions.values()) {
    const [lower, upper] = bounds ?? (range.bounds === 'full' ? [min!, max!] : [p.min!, p.max!]);
    const made: Doc[] = [];
    for (let v = lower; v < upper; v = next(v)) {
      if (p.held.has(canonicalKey(v))) continue;
      const doc: Doc = {};
      for (const f of partitionFields) if (p.source) withField(doc, f, resolve(p.source, f));
      made.push(withField(doc, field, kind === DOUBLE && typeof v === 'number' ? storedDouble(v) : v));
    }
    const value = (d: Doc): number => Number(plainNumbers(resolve(d, field)));
    out.push(...[...p.docs, ...made].sort((a, b) => value(a) - value(b)));
  }
  if (kind === DOUBLE) markWrappers();
  return Lazy(out);
}
