/**
 * What MongoDB refuses in a multi-document transaction ("Transactions and Operations": CRUD on
 * user collections, create and createIndexes, a few informational commands; no other command, no
 * `config`/`admin`/`local` database, no write to a `system.*` collection, no `$out`/`$merge`), and
 * which commands may read at read concern "snapshot" outside one (find, aggregate, distinct).
 */
import type { Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';

/** Commands allowed inside a transaction. */
const TRANSACTION_COMMANDS = new Set([
  'find',
  'getMore',
  'killCursors',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'aggregate',
  'distinct',
  'create',
  'createIndexes',
  'commitTransaction',
  'abortTransaction',
  'hello',
  'isMaster',
  'ismaster',
  'buildInfo',
  'buildinfo',
  'connectionStatus',
]);

/** Allowed in a transaction, but not as its first command. */
const NOT_FIRST_IN_TRANSACTION = new Set(['killCursors', 'hello', 'isMaster', 'ismaster', 'buildInfo', 'buildinfo', 'connectionStatus']);

/** Commands that do not name a collection of the database they run on. */
const DATABASE_FREE_COMMANDS = new Set([...NOT_FIRST_IN_TRANSACTION, 'commitTransaction', 'abortTransaction']);

const BANNED_TRANSACTION_DATABASES = new Set(['admin', 'config', 'local']);

/** Writes to system collections in a transaction: MongoDB's codes for findAndModify and for the write commands. */
const SYSTEM_WRITE_CODES: Record<string, number> = { insert: 50791, update: 50791, delete: 50791, findAndModify: 50781, findandmodify: 50781 };

/** Commands that read at read concern "snapshot" outside transactions. */
const SNAPSHOT_READ_COMMANDS = new Set(['find', 'aggregate', 'distinct']);

function writeStage(cmd: Doc): string | undefined {
  const pipeline: unknown = cmd.pipeline;
  if (!Array.isArray(pipeline)) return undefined;
  const stage = pipeline.find((s) => s && typeof s === 'object' && ('$out' in s || '$merge' in s));
  return stage ? Object.keys(stage)[0] : undefined;
}

/**
 * Refuses a command that may not run in a transaction, before the transaction is touched: such a
 * refusal neither starts a transaction nor aborts the open one (MongoDB's
 * OperationNotSupportedInTransaction, 263).
 */
export function checkCommandInTransaction(name: string, cmd: Doc): void {
  if (!TRANSACTION_COMMANDS.has(name)) fail(ErrorCodes.OperationNotSupportedInTransaction, `Cannot run '${name}' in a multi-document transaction.`);
  if (cmd.startTransaction === true && NOT_FIRST_IN_TRANSACTION.has(name)) {
    fail(ErrorCodes.OperationNotSupportedInTransaction, `Cannot run '${name}' as the first command of a multi-document transaction.`);
  }
}

/**
 * Refuses what a transaction's command may not touch: a banned database, a write to a system
 * collection, a pipeline writing with `$out` or `$merge`. These abort the transaction, as on MongoDB.
 */
export function checkTransactionTarget(name: string, db: string, cmd: Doc): void {
  if (DATABASE_FREE_COMMANDS.has(name)) return;
  if (BANNED_TRANSACTION_DATABASES.has(db)) fail(50844, `Cannot run command against the '${db}' database in a transaction.`);
  const collection: unknown = cmd[name];
  const systemWriteCode = SYSTEM_WRITE_CODES[name];
  if (systemWriteCode !== undefined && typeof collection === 'string' && collection.startsWith('system.')) {
    fail(systemWriteCode, `Cannot write to system collection ${db}.${collection} within a transaction.`);
  }
  const stage = name === 'aggregate' ? writeStage(cmd) : undefined;
  if (stage) fail(ErrorCodes.OperationNotSupportedInTransaction, `${stage} cannot be used in a transaction`);
}

/**
 * Read concern "snapshot" outside a transaction: only find, aggregate (without `$out`/`$merge`) and
 * distinct read at a snapshot; MongoDB refuses it on every other command (InvalidOptions, 72).
 */
export function checkSnapshotReadOutsideTransaction(name: string, cmd: Doc): void {
  if (!SNAPSHOT_READ_COMMANDS.has(name)) fail(ErrorCodes.InvalidOptions, `Command ${name} does not support { readConcern: { level: "snapshot" } } outside a transaction`);
  const stage = name === 'aggregate' ? writeStage(cmd) : undefined;
  if (stage) fail(ErrorCodes.InvalidOptions, `${stage} cannot be used with a 'snapshot' read concern level outside a transaction`);
}
