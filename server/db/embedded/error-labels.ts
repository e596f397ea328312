/**
 * The error labels mongod puts on a reply (its ErrorLabelBuilder), so that a driver decides to retry from the
 * labels as it does against MongoDB 4.4+ (drivers no longer read retryable codes from wire version 9 on):
 *
 * - TransientTransactionError: a command inside a transaction (it carries `autocommit`) failed with a code that
 *   leaves nothing behind: a write conflict, a snapshot error, any retriable code, NoSuchTransaction (on
 *   commit/abort only without a write concern error, since a committed transaction might then be rolled back).
 * - RetryableWriteError: otherwise, a retryable write (lsid + txnNumber, no `autocommit`) or a transaction's
 *   commit/abort failed with a retriable code, or its write concern error has one. Never for internal clients.
 *
 * The two are exclusive: a transient error is retried by rerunning the whole transaction.
 */
import type { Doc } from './bson-values.js';

export const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';
export const RETRYABLE_WRITE_ERROR = 'RetryableWriteError';

/**
 * MongoDB 7.0's RetriableError category (src/mongo/base/error_codes.yml), without its internal-only codes:
 * HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, ReadConcernMajorityNotAvailableYet,
 * PrimarySteppedDown, ExceededTimeLimit, InternalTransactionNotSupported, SocketException, NotWritablePrimary,
 * InterruptedAtShutdown, InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary,
 * BackupCursorOpenConflictWithCheckpoint.
 */
const RETRIABLE_CODES = new Set([6, 7, 89, 91, 134, 189, 262, 358, 9001, 10107, 11600, 11602, 13435, 13436, 50915]);

/**
 * Codes that end a transaction without side effects whatever the command: WriteConflict, LockTimeout,
 * PreparedTransactionInProgress, ShardCannotRefreshDueToLocksHeld, StaleDbVersion, the NeedRetargettingError
 * category (StaleConfig, StaleEpoch) and the SnapshotError category (SnapshotTooOld, SnapshotUnavailable,
 * StaleChunkHistory, MigrationConflict).
 */
const TRANSIENT_CODES = new Set([112, 24, 267, 343, 249, 13388, 150, 239, 246, 250, 272]);

const NO_SUCH_TRANSACTION = 251;
const COMMIT_OR_ABORT = new Set(['commitTransaction', 'abortTransaction']);

export interface LabelInput {
  commandName: string;
  cmd: Doc;
  /** The command's error code; undefined when the command succeeded. */
  code?: number;
  /** The code of the reply's writeConcernError, if any. */
  writeConcernCode?: number;
  /** The connection is from another mongod/mongos (hello carried `internalClient`). */
  internalClient: boolean;
}

function isTransient(code: number, hasWriteConcernError: boolean, commitOrAbort: boolean): boolean {
  if (TRANSIENT_CODES.has(code)) return true;
  if (commitOrAbort) return code === NO_SUCH_TRANSACTION && !hasWriteConcernError;
  return RETRIABLE_CODES.has(code) || code === NO_SUCH_TRANSACTION;
}

/** The labels mongod adds to a reply with this outcome (none when it succeeded without a write concern error). */
export function errorLabelsFor(input: LabelInput): string[] {
  const { cmd, code, writeConcernCode } = input;
  const hasTxnNumber = cmd.txnNumber !== undefined;
  const inTransaction = hasTxnNumber && cmd.autocommit !== undefined;
  const commitOrAbort = COMMIT_OR_ABORT.has(input.commandName);
  if (code !== undefined && inTransaction && isTransient(code, writeConcernCode !== undefined, commitOrAbort)) {
    return [TRANSIENT_TRANSACTION_ERROR];
  }
  if (input.internalClient) return [];
  const retryableWrite = hasTxnNumber && cmd.autocommit === undefined;
  if (!retryableWrite && !(inTransaction && commitOrAbort)) return [];
  const retriable = (code !== undefined && RETRIABLE_CODES.has(code)) || (writeConcernCode !== undefined && RETRIABLE_CODES.has(writeConcernCode));
  return retriable ? [RETRYABLE_WRITE_ERROR] : [];
}
