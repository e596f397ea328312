/** expectError assertions against an error thrown by the driver. */
import { MongoOperationTimeoutError, MongoServerError } from 'mongodb';
import { assertMatches, describe, MatchError, type MatchContext } from './matcher.js';
import { bulkResultDoc, toPlain } from './operations.js';
import type { Doc, ExpectedError } from './types.js';

/** Code names the bulk write errors may need translating (their write errors carry only a code). */
const CODE_NAMES: Record<string, number> = {
  DuplicateKey: 11000,
  DocumentValidationFailure: 121,
  WriteConflict: 112,
  NoSuchTransaction: 251,
  OperationNotSupportedInTransaction: 263,
  NamespaceNotFound: 26,
  NamespaceExists: 48,
  InvalidOptions: 72,
  FailedToParse: 9,
  BadValue: 2,
  TypeMismatch: 14,
  ImmutableField: 66,
  InvalidIdField: 53,
  CannotCreateIndex: 67,
  IndexNotFound: 27,
  Location40414: 40414,
  UnknownError: 8,
};

type AnyError = Error & {
  code?: unknown;
  codeName?: unknown;
  errmsg?: unknown;
  errorResponse?: Doc;
  writeErrors?: unknown;
  writeConcernError?: { code?: number; codeName?: string; errmsg?: string };
  writeConcernErrors?: unknown;
  result?: unknown;
  partialResult?: unknown;
  hasErrorLabel?: (l: string) => boolean;
  errorLabels?: string[];
  cause?: unknown;
};

/** The error and the server errors it aggregates (bulk write errors, write concern errors, cause). */
function parts(err: AnyError): { code?: unknown; codeName?: unknown; message: string }[] {
  const out: { code?: unknown; codeName?: unknown; message: string }[] = [
    { code: err.code, codeName: err.codeName, message: String(err.message ?? '') },
  ];
  const we = err.writeErrors;
  // Collection bulkWrite errors aggregate write errors; clientBulkWrite's (a Map) are only for `writeErrors`.
  const list = we instanceof Map ? [] : Array.isArray(we) ? we : we ? [we] : [];
  for (const w of list as { code?: unknown; errmsg?: unknown; message?: unknown; codeName?: unknown }[]) {
    out.push({ code: w.code, codeName: w.codeName, message: String(w.errmsg ?? w.message ?? '') });
  }
  if (err.writeConcernError) {
    out.push({ code: err.writeConcernError.code, codeName: err.writeConcernError.codeName, message: String(err.writeConcernError.errmsg ?? '') });
  }
  if (err.cause && typeof err.cause === 'object') {
    const c = err.cause as AnyError;
    out.push({ code: c.code, codeName: c.codeName, message: String(c.message ?? '') });
  }
  return out;
}

function fail(what: string, detail: string): never {
  throw new MatchError(`expectError.${what}`, detail);
}

export function errorSummary(err: unknown): string {
  const e = err as AnyError;
  const bits = [`${e?.name ?? 'Error'}: ${String(e?.message ?? err)}`];
  if (e?.code !== undefined) bits.push(`code ${String(e.code)}${e.codeName ? ` (${String(e.codeName)})` : ''}`);
  if (e?.errorLabels?.length) bits.push(`labels ${e.errorLabels.join(',')}`);
  return bits.join(', ');
}

export function assertExpectedError(expected: ExpectedError, error: unknown, ctx: MatchContext): void {
  const err = error as AnyError;
  const isServer = err instanceof MongoServerError;
  const all = parts(err);

  if (expected.isClientError !== undefined && expected.isClientError === isServer) {
    fail('isClientError', `expected a ${expected.isClientError ? 'client' : 'server'} error, got ${errorSummary(err)}`);
  }
  if (expected.isTimeoutError !== undefined && expected.isTimeoutError !== err instanceof MongoOperationTimeoutError) {
    fail('isTimeoutError', `expected isTimeoutError ${String(expected.isTimeoutError)}, got ${errorSummary(err)}`);
  }
  if (expected.errorContains !== undefined) {
    const needle = expected.errorContains.toLowerCase();
    if (!all.some(p => p.message.toLowerCase().includes(needle))) {
      fail('errorContains', `expected the message to contain "${expected.errorContains}", got ${errorSummary(err)}`);
    }
  }
  if (expected.errorCode !== undefined) {
    const want = Number(String(expected.errorCode));
    if (!isServer) fail('errorCode', `expected server error code ${want}, got a client error: ${errorSummary(err)}`);
    if (!all.some(p => Number(p.code) === want)) fail('errorCode', `expected code ${want}, got ${errorSummary(err)}`);
  }
  if (expected.errorCodeName !== undefined) {
    const want = expected.errorCodeName.toLowerCase();
    const wantCode = CODE_NAMES[expected.errorCodeName];
    if (!isServer) fail('errorCodeName', `expected server error ${expected.errorCodeName}, got a client error: ${errorSummary(err)}`);
    const ok = all.some(p =>
      typeof p.codeName === 'string' ? p.codeName.toLowerCase() === want : wantCode !== undefined && Number(p.code) === wantCode,
    );
    if (!ok) fail('errorCodeName', `expected ${expected.errorCodeName}, got ${errorSummary(err)}`);
  }
  for (const label of expected.errorLabelsContain ?? []) {
    if (!err.hasErrorLabel?.(label)) fail('errorLabelsContain', `expected label ${label}, got ${errorSummary(err)}`);
  }
  for (const label of expected.errorLabelsOmit ?? []) {
    if (err.hasErrorLabel?.(label)) fail('errorLabelsOmit', `expected no label ${label}, got ${errorSummary(err)}`);
  }
  if (expected.errorResponse !== undefined) {
    if (!isServer || !err.errorResponse) fail('errorResponse', `expected a server response, got ${errorSummary(err)}`);
    sub('errorResponse', () => assertMatches(expected.errorResponse, err.errorResponse, ctx, { isRoot: true }));
  }
  if (expected.writeErrors !== undefined) {
    const we = err.writeErrors instanceof Map ? (toPlain(err.writeErrors) as Doc) : undefined;
    if (!we) fail('writeErrors', `expected client bulk write errors, got ${errorSummary(err)}`);
    const wantKeys = Object.keys(expected.writeErrors).sort();
    const gotKeys = Object.keys(we).sort();
    if (wantKeys.join() !== gotKeys.join()) fail('writeErrors', `expected write errors at ${wantKeys.join(',')}, got at ${gotKeys.join(',')}`);
    for (const k of wantKeys) sub(`writeErrors.${k}`, () => assertMatches(expected.writeErrors![k], we[k], ctx, { isRoot: true }));
  }
  if (expected.writeConcernErrors !== undefined) {
    const wce = Array.isArray(err.writeConcernErrors) ? (toPlain(err.writeConcernErrors) as Doc[]) : undefined;
    if (!wce) fail('writeConcernErrors', `expected write concern errors, got ${errorSummary(err)}`);
    if (wce.length !== expected.writeConcernErrors.length) {
      fail('writeConcernErrors', `expected ${expected.writeConcernErrors.length}, got ${wce.length}: ${describe(wce)}`);
    }
    expected.writeConcernErrors.forEach((w, i) => sub(`writeConcernErrors[${i}]`, () => assertMatches(w, wce[i], ctx, { isRoot: true })));
  }
  if (expected.expectResult !== undefined) {
    // Collection bulkWrite: error.result (BulkWriteResult); clientBulkWrite: error.partialResult.
    const partial = err.partialResult !== undefined ? toPlain(err.partialResult) : err.result !== undefined ? bulkResultDoc(err.result) : undefined;
    sub('expectResult', () => assertMatches(expected.expectResult, partial, ctx, { isRoot: true }));
  }
}

function sub(what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof MatchError) throw new MatchError(`expectError.${what}${e.path.slice(1)}`, e.detail);
    throw e;
  }
}
