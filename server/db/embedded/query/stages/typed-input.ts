/**
 * Helpers for the server's own stages that run mingo's logic on plain copies of the documents and
 * then return (or compute from) the typed documents themselves (see README, "Numeric types").
 */
import { Decimal128 } from 'bson';
import { evalExpr, OpType } from 'mingo/core';
import type { Iterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { hasNumberWrappers, isPlainObject, plainNumbers, setOwn, type Doc, isInt64 } from '../../bson-values.js';
import { ErrorCodes, fail } from '../../errors.js';
import { inMode, markWrappers } from '../arithmetic.js';

export type Stage = (coll: Iterator, spec: unknown, options: Options) => Iterator;

/** A field marking a plain copy with the position of its typed document. */
export const POSITION = '__embeddedPosition';

/** Plain copies of the documents, each marked with its position; wrappers in the input are recorded for mingo's operators. */
export function positionedCopies(docs: Doc[]): Doc[] {
  let typed = false;
  const copies = docs.map((d, i) => {
    const plain = plainNumbers(d);
    if (plain !== d) typed = true;
    return { ...plain, [POSITION]: i };
  });
  if (typed) markWrappers();
  return copies;
}

/** An expression's value on a typed document, with the types of the values it picks (see arithmetic.ts). */
export function typedValue(doc: Doc, expr: unknown, options: Options): unknown {
  return inMode(true, () => evalExpr(doc, expr, options));
}

/** The context's own stage of that name (the server's typed `$group`, `$sort`, `$addFields`...). */
export function contextStage(options: Options, name: string): Stage {
  return options.context.getOperator(OpType.PIPELINE, name) as unknown as Stage;
}

/** Whether a value is a number mingo can only compute with inexactly (a Decimal128, a Long beyond 2^53). */
export function isInexactForMingo(v: unknown): boolean {
  return v instanceof Decimal128 || (isInt64(v) && !Number.isSafeInteger(v.toNumber()));
}

/** Refuses, as a documented limit, what mingo would compute in double precision instead of MongoDB's type. */
export function refuseInexact(what: string): never {
  fail(ErrorCodes.NotImplemented, `${what} of a Decimal128 or of an int64 beyond 2^53 is not computed by the embedded server`);
}

/** The document with `path` set to `value`, copying the sub-documents on the way (`a.b` sets b inside a). */
export function withField(doc: Doc, path: string, value: unknown): Doc {
  const dot = path.indexOf('.');
  if (dot < 0) {
    setOwn(doc, path, value);
    return doc;
  }
  const head = path.slice(0, dot);
  setOwn(doc, head, withField(isPlainObject(doc[head]) ? { ...doc[head] } : {}, path.slice(dot + 1), value));
  return doc;
}

/**
 * mingo sorts, partitions and buckets by these expressions' values on the plain copies, where an
 * int64 beyond 2^53 is still a Long it would compare as an object: refused rather than misordered.
 */
export function refuseBigLongKeys(copies: Doc[], exprs: unknown[], options: Options, stage: string): void {
  for (const copy of copies) {
    for (const expr of exprs) {
      if (hasNumberWrappers(evalExpr(copy, expr, options))) fail(ErrorCodes.NotImplemented, `${stage} by an int64 beyond 2^53 is not supported by the embedded server`);
    }
  }
}
