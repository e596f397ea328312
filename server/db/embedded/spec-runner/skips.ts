/**
 * The explicit skip lists. Nothing else is skipped except by runOnRequirements, a file's skipReason, or an
 * operation the installed driver does not offer.
 *
 * - SKIPS: tests needing a feature the embedded server documents as unsupported.
 * - DRIVER_DEVIATIONS: tests the installed driver (mongodb 7.9) cannot pass against any server, because it
 *   sends something other than what the test expects. Each was checked: with the deviation set aside, the
 *   test passes against the embedded server.
 *
 * Every entry names the file (basename, without .json) and one test description (or none: the whole file).
 */
export interface SkipRule {
  file: string;
  /** Omitted: the whole file. */
  test?: string;
  reason: string;
}

const COLLATION = 'non-simple collation is not supported by the embedded server (it answers NotImplemented)';

export const SKIPS: SkipRule[] = [
  // Operations with { locale: 'en_US', strength: 2 } collation: case-insensitive matching is not implemented.
  { file: 'aggregate-collation', test: 'Aggregate with collation', reason: COLLATION },
  { file: 'count-collation', test: 'Count documents with collation', reason: COLLATION },
  { file: 'count-collation', test: 'Deprecated count with collation', reason: COLLATION },
  { file: 'deleteMany-collation', test: 'DeleteMany when many documents match with collation', reason: COLLATION },
  { file: 'distinct-collation', test: 'Distinct with a collation', reason: COLLATION },
  { file: 'find-collation', test: 'Find with a collation', reason: COLLATION },
  { file: 'findOneAndDelete-collation', test: 'FindOneAndDelete when one document matches with collation', reason: COLLATION },
  { file: 'findOneAndUpdate-collation', test: 'FindOneAndUpdate when many documents match with collation returning the document before modification', reason: COLLATION },
  { file: 'replaceOne-collation', test: 'ReplaceOne when one document matches with collation', reason: COLLATION },
  { file: 'updateOne-collation', test: 'UpdateOne when one document matches with collation', reason: COLLATION },
  // The client has readPreference=secondary in its URI; the driver's (auto) connect selects a server with it,
  // and a one-member replica set has no secondary, so the client can never connect.
  {
    file: 'run-command',
    test: 'run command with secondary read preference in client option and primary read preference in transaction options',
    reason: 'needs a secondary: the embedded server is a one-member replica set, and the driver connects with the client read preference (secondary)',
  },
];

// mongodb 7.9 lib/sessions.js: commitTransaction/abortTransaction apply { wtimeoutMS: 10000, w: 'majority', ...wc }
// whenever the transaction has a write concern, so the command carries wtimeout: 10000 the test says is absent.
const WTIMEOUT = 'installed driver adds wtimeout: 10000 to the writeConcern of commitTransaction/abortTransaction';
// mongodb 7.9 lib/operations/aggregate.js, find_and_modify.js, bulk/common.js send the option only when true.
const BYPASS = 'installed driver omits bypassDocumentValidation: false from aggregate, findAndModify and bulk inserts';
// mongodb 7.9 lib/utils.js maybeAddIdToDocuments: `if (document._id == null)` replaces an explicit null _id with an
// ObjectId before sending (checked: the server keeps { _id: null } sent through runCommand).
const NULL_ID = 'installed driver replaces an explicit _id: null with a new ObjectId before sending the insert';

export const DRIVER_DEVIATIONS: SkipRule[] = [
  { file: 'delete', test: 'collection writeConcern ignored for delete', reason: WTIMEOUT },
  { file: 'findOneAndDelete', test: 'collection writeConcern ignored for findOneAndDelete', reason: WTIMEOUT },
  { file: 'findOneAndUpdate', test: 'collection writeConcern ignored for findOneAndUpdate', reason: WTIMEOUT },
  { file: 'insert', test: 'collection writeConcern ignored for insert', reason: WTIMEOUT },
  { file: 'update', test: 'collections writeConcern ignored for update', reason: WTIMEOUT },
  { file: 'write-concern', test: 'commit with majority', reason: WTIMEOUT },
  { file: 'write-concern', test: 'abort with majority', reason: WTIMEOUT },
  { file: 'bypassDocumentValidation', test: 'Aggregate with $out passes bypassDocumentValidation: false', reason: BYPASS },
  { file: 'bypassDocumentValidation', test: 'BulkWrite passes bypassDocumentValidation: false', reason: BYPASS },
  { file: 'bypassDocumentValidation', test: 'FindOneAndReplace passes bypassDocumentValidation: false', reason: BYPASS },
  { file: 'bypassDocumentValidation', test: 'FindOneAndUpdate passes bypassDocumentValidation: false', reason: BYPASS },
  { file: 'bypassDocumentValidation', test: 'InsertMany passes bypassDocumentValidation: false', reason: BYPASS },
  { file: 'create-null-ids', test: 'inserting _id with type null via insertOne', reason: NULL_ID },
  { file: 'create-null-ids', test: 'inserting _id with type null via insertMany', reason: NULL_ID },
  { file: 'create-null-ids', test: 'inserting _id with type null via bulkWrite', reason: NULL_ID },
];

const applies = (r: SkipRule, fileBase: string, test: string): boolean => r.file === fileBase && (r.test === undefined || r.test === test);

/** The reason a listed test is skipped, prefixed with the list it comes from; undefined when not listed. */
export function skipReasonFor(fileBase: string, testDescription: string): string | undefined {
  const server = SKIPS.find(r => applies(r, fileBase, testDescription));
  if (server) return `skip list (embedded server): ${server.reason}`;
  const driver = DRIVER_DEVIATIONS.find(r => applies(r, fileBase, testDescription));
  if (driver) return `skip list (driver deviation): ${driver.reason}`;
  return undefined;
}
