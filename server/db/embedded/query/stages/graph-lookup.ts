/**
 * `$graphLookup` on the stored documents of the other collection: the documents found are added as
 * they are stored (their number types kept), values match by value across number types as MongoDB
 * matches them (1, NumberLong(1) and 1.0 connect), `restrictSearchWithMatch` is the server's
 * filter, and `depthField` is an int64 (manual: "represented as a NumberLong").
 */
import { Long } from 'bson';
import { evalExpr } from 'mingo/core';
import type { Iterator } from 'mingo/lazy';
import type { Options } from 'mingo/types';
import { resolve } from 'mingo/util';
import { canonicalKey, isPlainObject, toNumber, type Doc } from '../../bson-values.js';
import { ErrorCodes, fail } from '../../errors.js';
import { markWrappers } from '../arithmetic.js';
import { compileFilter } from '../match.js';

/** The values a field connects by: each element of an array; `missing` for a missing field (null for the connectToField, as a query's equality). */
function connectValues(doc: Doc, path: string, missing: unknown[]): unknown[] {
  const v = resolve(doc, path);
  if (v === undefined) return missing;
  if (v === null) return [null];
  return Array.isArray(v) ? v : [v];
}

export function $graphLookup(coll: Iterator, spec: unknown, options: Options): Iterator {
  const s = spec as Doc;
  for (const f of ['from', 'connectFromField', 'connectToField', 'as']) {
    if (typeof s[f] !== 'string') fail(ErrorCodes.FailedToParse, `$graphLookup requires '${f}' to be a string`);
  }
  if (!('startWith' in s)) fail(ErrorCodes.FailedToParse, "$graphLookup requires a 'startWith' expression");
  if (s.maxDepth !== undefined && !(Number.isInteger(toNumber(s.maxDepth)) && toNumber(s.maxDepth) >= 0)) fail(ErrorCodes.FailedToParse, '$graphLookup maxDepth must be a non-negative integer');
  if (s.restrictSearchWithMatch !== undefined && !isPlainObject(s.restrictSearchWithMatch)) fail(ErrorCodes.FailedToParse, '$graphLookup restrictSearchWithMatch must be an object');
  const maxDepth = s.maxDepth === undefined ? Infinity : toNumber(s.maxDepth);
  const restrict = compileFilter(s.restrictSearchWithMatch, options.variables as Doc | undefined);
  const foreign = ((options.collectionResolver?.(s.from) ?? []) as Doc[]).filter((d) => restrict(d));
  const byKey = new Map<string, number[]>();
  foreign.forEach((doc, i) => {
    for (const k of new Set(connectValues(doc, s.connectToField, [null]).map((v) => canonicalKey(v)))) {
      const list = byKey.get(k);
      if (list) list.push(i);
      else byKey.set(k, [i]);
    }
  });
  if (s.depthField !== undefined) markWrappers();
  return coll.map((obj) => {
    const start = evalExpr(obj as Doc, s.startWith, options);
    let frontier = Array.isArray(start) ? start : [start];
    const depthOf = new Map<number, number>();
    const searched = new Set<string>();
    for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
      const next: unknown[] = [];
      for (const value of frontier) {
        const key = canonicalKey(value ?? null);
        if (searched.has(key)) continue;
        searched.add(key);
        for (const i of byKey.get(key) ?? []) {
          if (depthOf.has(i)) continue;
          depthOf.set(i, depth);
          next.push(...connectValues(foreign[i], s.connectFromField, []));
        }
      }
      frontier = next;
    }
    const found = [...depthOf].map(([i, depth]) => (s.depthField === undefined ? foreign[i] : { ...foreign[i], [s.depthField]: Long.fromNumber(depth) }));
    return { ...(obj as Doc), [s.as]: found };
  });
}
