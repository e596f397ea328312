/**
 * `$setWindowFields` and `$fill` on the stored documents: mingo partitions, sorts and finds each
 * document's window on plain copies (so its comparisons are right); the server then computes each
 * output field from the typed documents of that window, so the output documents are the input
 * documents with their types, and the computed fields have MongoDB's types (manual: each window
 * operator; accumulators as in `$group`, `$shift`/`$locf` the value they pick, `$derivative`,
 * `$integral`, `$expMovingAvg`, `$linearFill`, `$stdDev*` a double).
 */
import { Lazy, type Iterator } from 'mingo/lazy';
import * as pipelineOperators from 'mingo/operators/pipeline';
import type { Options } from 'mingo/types';
import { evalExpr } from 'mingo/core';
import { resolve } from 'mingo/util';
import { isPlainObject, storedDouble, type Doc } from '../../bson-values.js';
import { markWrappers } from '../arithmetic.js';
import { ACCUMULATORS_ON_TYPED_VALUES as TYPED_ACCUMULATORS } from '../typed-values.js';
import { contextStage, isInexactForMingo, POSITION, positionedCopies, refuseBigLongKeys, refuseInexact, typedValue, withField, type Stage } from './typed-input.js';

/** An internal accumulator: the documents of the window itself (registered in the shared context). */
export const WINDOW_FRAME = '$embeddedWindowFrame';
export const windowFrame = (coll: Doc[]): Doc[] => coll;

/** Window operators that are not accumulators (mingo's window table). */
const WINDOW_ONLY = new Set(['$rank', '$denseRank', '$documentNumber', '$shift', '$locf', '$linearFill', '$derivative', '$integral', '$expMovingAvg', '$minMaxScaler']);
/** Operators mingo computes in double precision whose result MongoDB gives as a double (a Decimal128 for decimal input). */
const DOUBLE_RESULTS = new Set(['$derivative', '$integral', '$expMovingAvg', '$linearFill', '$covariancePop', '$covarianceSamp']);
/** Accumulators whose result is always a double (they coerce their input to double, also a Decimal128). */
const ALWAYS_DOUBLE = new Set(['$stdDevPop', '$stdDevSamp']);

/** An output field and how its value is made from mingo's computed copy and the typed document. */
type Output = { field: string; value: (computed: Doc, doc: Doc) => unknown };

const positionPath = '$' + POSITION;

export function $setWindowFields(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  // mingo's validation of the specification (operators, windows, sortBy), without data.
  pipelineOperators.$setWindowFields(Lazy([]), s as never, options).collect();
  const docs = coll.collect() as Doc[];
  const copies = positionedCopies(docs);
  const keys = [...(isPlainObject(s.sortBy) ? Object.keys(s.sortBy).map((k) => '$' + k) : []), ...(s.partitionBy === undefined ? [] : [s.partitionBy])];
  refuseBigLongKeys(copies, keys, options, '$setWindowFields');
  const rewritten: Doc = {};
  // Window frames last: mingo's $rank and friends find a document in its partition by deep equality, which a frame (an array of documents) makes slow.
  const frames: Doc = {};
  const outputs: Output[] = [];
  let made = false;
  const keep = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object') made = true;
    return v;
  };
  for (const [field, o] of Object.entries(s.output as Doc)) {
    const op = Object.keys(o).find((k) => k !== 'window')!;
    const arg = o[op];
    const window = o.window ? { window: o.window } : {};
    if (DOUBLE_RESULTS.has(op)) checkExact(op, docs, arg, s.sortBy, options);
    if (!WINDOW_ONLY.has(op)) {
      frames[field] = { [WINDOW_FRAME]: 1, ...window };
      const byFrame = new Map<string, unknown>();
      outputs.push({ field, value: (computed) => {
        const frame = resolve(computed, field) as Doc[];
        // A window is a run of its partition in sort order: its ends and length name it.
        const key = frame.length ? `${frame[0][POSITION]}:${frame[frame.length - 1][POSITION]}:${frame.length}` : '';
        if (!byFrame.has(key)) byFrame.set(key, accumulate(frame.map((c) => docs[c[POSITION]]), op, arg, options));
        return byFrame.get(key);
      } });
    } else if (op === '$shift') {
      rewritten[field] = { $shift: { ...arg, output: positionPath, default: null } };
      outputs.push({ field, value: (computed, doc) => {
        const at = resolve(computed, field);
        if (typeof at === 'number') return keep(typedValue(docs[at], arg.output, options) ?? null);
        return isPlainObject(arg) && 'default' in arg ? keep(typedValue(doc, arg.default, options)) : null;
      } });
    } else if (op === '$locf') {
      // The position of the last document with a value, so the value is taken typed from it.
      rewritten[field] = { $locf: { $cond: [{ $eq: [{ $ifNull: [arg, null] }, null] }, null, positionPath] } };
      outputs.push({ field, value: (computed) => {
        const at = resolve(computed, field);
        return typeof at === 'number' ? keep(typedValue(docs[at], arg, options) ?? null) : null;
      } });
    } else {
      rewritten[field] = o;
      outputs.push({ field, value: (computed, doc) => {
        const r = resolve(computed, field);
        if (op === '$linearFill') {
          // A document with a value keeps it as it is.
          const own = typedValue(doc, arg, options);
          if (own !== null && own !== undefined) return keep(own);
        }
        return DOUBLE_RESULTS.has(op) && typeof r === 'number' ? keep(storedDouble(r)) : r;
      } });
    }
  }
  const computed = pipelineOperators.$setWindowFields(Lazy(copies), { ...s, output: { ...rewritten, ...frames } } as never, options).collect() as Doc[];
  const out = computed.map((c) => {
    const doc = docs[c[POSITION] as number];
    let result: Doc = { ...doc };
    for (const o of outputs) result = withField(result, o.field, o.value(c, doc));
    return result;
  });
  if (made) markWrappers();
  return Lazy(out);
}

/** An accumulator over a window's typed documents, as `$group` computes it over a group's. */
function accumulate(frame: Doc[], op: string, arg: unknown, options: Options): unknown {
  const typed = TYPED_ACCUMULATORS[op];
  const v = typed ? typed(frame, arg, options) : evalExpr(frame, { [op]: arg }, options);
  if (v !== null && typeof v === 'object') markWrappers();
  if ((ALWAYS_DOUBLE.has(op) || DOUBLE_RESULTS.has(op)) && typeof v === 'number') {
    markWrappers();
    return storedDouble(v);
  }
  return v;
}

/** A Decimal128 (or an int64 beyond 2^53) in what a double-computing operator reads is refused, not rounded. */
function checkExact(op: string, docs: Doc[], arg: any, sortBy: unknown, options: Options): void {
  const inputs = op === '$linearFill' ? [arg] : op.startsWith('$covariance') ? (Array.isArray(arg) ? arg : [arg]) : [isPlainObject(arg) ? arg.input : arg];
  if ((op === '$derivative' || op === '$integral') && isPlainObject(sortBy)) inputs.push(...Object.keys(sortBy).map((k) => '$' + k));
  for (const doc of docs) for (const input of inputs) if (isInexactForMingo(typedValue(doc, input, options))) refuseInexact(`${op} in $setWindowFields`);
}

const FILL_METHODS: Record<string, string> = { locf: '$locf', linear: '$linearFill' };

/**
 * `$fill`, as MongoDB defines it: `method` fields through `$setWindowFields` (`$locf`,
 * `$linearFill`), `value` fields through `$addFields` with `$ifNull`; both the server's typed stages.
 */
export function $fill(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  // mingo's validation of the specification, without data.
  pipelineOperators.$fill(Lazy([]), s as never, options).collect();
  const methods: Doc = {};
  const values: Doc = {};
  for (const [field, o] of Object.entries(s.output as Doc)) {
    if ('value' in o) values[field] = { $ifNull: [`$$CURRENT.${field}`, o.value] };
    else methods[field] = { [FILL_METHODS[o.method]]: '$' + field };
  }
  if (Object.keys(methods).length > 0) {
    const partitionBy = s.partitionBy ?? (Array.isArray(s.partitionByFields) ? s.partitionByFields.map((f: string) => '$' + f) : undefined);
    coll = $setWindowFields(coll, { sortBy: s.sortBy ?? {}, ...(partitionBy === undefined ? {} : { partitionBy }), output: methods }, options);
  }
  if (Object.keys(values).length > 0) coll = (contextStage(options, '$addFields') as Stage)(coll, values, options);
  return coll;
}
