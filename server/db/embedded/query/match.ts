/**
 * Filter matching through mingo, with MongoDB's behaviour enforced at the boundary: operators the
 * server does not support answer a clear error instead of being silently misread.
 */
import { Aggregator, Query } from 'mingo';
import { isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';

const UNSUPPORTED_QUERY_OPERATORS: Record<string, string> = {
  $text: 'text search ($text) is not supported by the embedded server',
  $near: 'geospatial queries ($near) are not supported by the embedded server',
  $nearSphere: 'geospatial queries ($nearSphere) are not supported by the embedded server',
  $geoWithin: 'geospatial queries ($geoWithin) are not supported by the embedded server',
  $geoIntersects: 'geospatial queries ($geoIntersects) are not supported by the embedded server',
  $where: '$where is not supported by the embedded server',
};

function checkOperators(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) checkOperators(v);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const message = UNSUPPORTED_QUERY_OPERATORS[k];
    if (message) fail(ErrorCodes.NotImplemented, message);
    checkOperators(v);
  }
}

export type Matcher = (doc: Doc) => boolean;

export function compileFilter(filter: Doc | undefined, variables?: Doc): Matcher {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) fail(ErrorCodes.TypeMismatch, 'filter must be an object');
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => true;
  checkOperators(filter);
  try {
    const query = new Query(filter, variables ? { variables } : undefined);
    return (doc) => query.test(doc);
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}

/** `let` variables are expressions evaluated once per command (so `{ $literal: 'x' }` becomes 'x'). */
export function evaluateLet(vars: Doc): Doc {
  for (const k of Object.keys(vars)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(k)) fail(ErrorCodes.FailedToParse, `'${k}' starts with an invalid character for a user variable name`);
  }
  try {
    return new Aggregator([{ $addFields: { v: vars } }]).run([{}])[0].v as Doc;
  } catch (err) {
    throw new MongoServerError(ErrorCodes.BadValue, err instanceof Error ? err.message : String(err));
  }
}
