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

/** Tests known to fail because of the driver, not the server: their failure message says so. */
const KNOWN_DRIVER_FAILURES: { file: string; testPrefix: string; why: string }[] = [
  {
    file: 'create-null-ids',
    testPrefix: 'inserting _id with type null via ',
    why: 'the installed driver replaces an explicit _id: null with a new ObjectId before sending (a server given { _id: null } through runCommand stores it)',
  },
];

/** Why a failing test is expected to fail with this driver, or undefined. */
export function knownDriverFailure(fileBase: string, test: string): string | undefined {
  return KNOWN_DRIVER_FAILURES.find(k => k.file === fileBase && test.startsWith(k.testPrefix))?.why;
}
