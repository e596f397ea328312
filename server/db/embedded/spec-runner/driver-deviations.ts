/**
 * What the installed driver (mongodb 7.x) sends differently from what the spec tests expect, whatever the server.
 * Rather than skip those tests, the runner tolerates these two differences in observed command events, so the
 * server's answers in those tests are still checked. Each rule applies only when the expected command says the
 * opposite of what the driver sent, and only in the documented way.
 *
 * Not tolerated (those tests run and fail): the driver replaces an explicit `_id: null` with a new ObjectId
 * before sending an insert (lib/utils.js maybeAddIdToDocuments), which changes the stored document itself.
 */
import type { Doc } from './types.js';

/** lib/sessions.js applies `{ wtimeoutMS: 10000, w: 'majority', ...wc }` to commit/abortTransaction retries and firsts alike. */
const DRIVER_COMMIT_WTIMEOUT = 10000;

/** lib/operations/{aggregate,find_and_modify}.js and bulk/common.js send bypassDocumentValidation only when true. */
function tolerateOmittedBypassFalse(expected: Doc, actual: Doc): Doc {
  if (expected.bypassDocumentValidation === false && !('bypassDocumentValidation' in actual)) {
    return { ...actual, bypassDocumentValidation: false };
  }
  return actual;
}

function tolerateCommitWtimeout(commandName: string, expected: Doc, actual: Doc): Doc {
  if (commandName !== 'commitTransaction' && commandName !== 'abortTransaction') return actual;
  const sent = actual.writeConcern as Doc | undefined;
  const wanted = expected.writeConcern as Doc | undefined;
  if (!sent || sent.wtimeout !== DRIVER_COMMIT_WTIMEOUT || (wanted && 'wtimeout' in wanted)) return actual;
  const { wtimeout: _added, ...rest } = sent;
  return { ...actual, writeConcern: rest };
}

/** The command as the test would have seen it from a driver without these two deviations. */
export function withoutDriverDeviations(commandName: string, expected: unknown, actual: unknown): unknown {
  if (!isDoc(expected) || !isDoc(actual)) return actual;
  return tolerateCommitWtimeout(commandName, expected, tolerateOmittedBypassFalse(expected, actual));
}

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NULL_ID_REPLACED =
  'the installed driver replaces an explicit _id: null (or undefined) with a new ObjectId before sending (a server given { _id: null } through runCommand stores it)';

/** The documents an operation inserts through the driver (insertOne, insertMany, bulkWrite's insertOne). */
function insertedDocuments(operation: Doc): unknown[] {
  const args = (operation.arguments ?? {}) as Doc;
  if (operation.name === 'insertOne') return [args.document];
  if (operation.name === 'insertMany') return Array.isArray(args.documents) ? args.documents : [];
  if (operation.name === 'bulkWrite' && Array.isArray(args.requests)) {
    return args.requests.map((r) => (isDoc(r) && isDoc(r.insertOne) ? r.insertOne.document : undefined));
  }
  return [];
}

/** Why a failing test is expected to fail with this driver (detected in its operations), or undefined. */
export function knownDriverFailure(operations: unknown[]): string | undefined {
  const nullId = operations.some((op) => isDoc(op) && insertedDocuments(op).some((d) => isDoc(d) && '_id' in d && (d._id === null || d._id === undefined)));
  return nullId ? NULL_ID_REPLACED : undefined;
}
