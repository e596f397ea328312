/**
 * Per-session transaction state, driven by the `lsid`, `txnNumber`, `startTransaction` and
 * `autocommit` fields the driver puts on commands.
 */
import type { Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError } from '../errors.js';
import { commitTransaction, endTransaction } from '../storage/access.js';
import type { Engine } from '../storage/engine.js';
import { checkCommandInTransaction } from './restrictions.js';
import { Transaction } from './transaction.js';

const READ_CONCERN_LEVELS = new Set(['local', 'majority', 'linearizable', 'available', 'snapshot']);

/** MongoDB's transactionLifetimeLimitSeconds default: older transactions are aborted. */
const TRANSACTION_LIFETIME_MS = 60_000;

interface Session {
  txn?: Transaction;
  startedAt?: number;
  /** The reply of the session's last retryable write, answered again if the driver retries it. */
  lastRetryable?: { txnNumber: number; reply: Doc };
}

function noSuchTransaction(txnNumber: number): MongoServerError {
  return new MongoServerError(ErrorCodes.NoSuchTransaction, `Transaction with { txnNumber: ${txnNumber} } has been aborted.`, {}, [
    'TransientTransactionError',
  ]);
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  private session(key: string): Session {
    let s = this.sessions.get(key);
    if (!s) {
      s = {};
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * The transaction a command runs in (starting one on `startTransaction`), or undefined for
   * commands outside transactions. Throws NoSuchTransaction when the client refers to a
   * transaction that is not open, and MongoDB's refusals of read and write concerns a command
   * cannot have and of commands that cannot run in a transaction (these leave an open transaction
   * as it was).
   */
  transactionFor(key: string | undefined, cmd: Doc, commandName: string): Transaction | undefined {
    const level: unknown = cmd.readConcern?.level;
    if (level !== undefined && !READ_CONCERN_LEVELS.has(String(level))) {
      throw new MongoServerError(ErrorCodes.FailedToParse, `readConcern.level must be either 'local', 'majority', 'linearizable', 'available', or 'snapshot'`);
    }
    if (key === undefined || cmd.autocommit !== false) return undefined;
    checkCommandInTransaction(commandName, cmd);
    const txnNumber = Number(cmd.txnNumber);
    const s = this.session(key);
    const current = s.txn;
    if (cmd.writeConcern !== undefined && commandName !== 'commitTransaction' && commandName !== 'abortTransaction') {
      throw new MongoServerError(ErrorCodes.InvalidOptions, 'Cannot set write concern after starting a transaction.');
    }
    if (cmd.startTransaction === true && (level === 'available' || level === 'linearizable')) {
      throw new MongoServerError(ErrorCodes.InvalidOptions, `The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction`);
    }
    if (cmd.startTransaction !== true && cmd.readConcern !== undefined && current?.txnNumber === txnNumber && current.state === 'active') {
      throw new MongoServerError(ErrorCodes.InvalidOptions, 'Only the first command in a transaction may specify a readConcern');
    }
    if (cmd.startTransaction === true) {
      if (current && current.txnNumber === txnNumber) {
        throw new MongoServerError(ErrorCodes.BadValue, `Transaction with { txnNumber: ${txnNumber} } has already been started`);
      }
      if (current?.state === 'active') endTransaction(this.engine, current, 'aborted');
      const txn = new Transaction(txnNumber, this.engine.seq, level === undefined ? 'local' : String(level));
      this.engine.openTxns.add(txn);
      s.txn = txn;
      s.startedAt = Date.now();
      return txn;
    }
    if (!current || current.txnNumber !== txnNumber) throw noSuchTransaction(txnNumber);
    if (current.state === 'committed') {
      if (commandName === 'commitTransaction') return current;
      throw new MongoServerError(ErrorCodes.TransactionCommitted, `Transaction ${txnNumber} has been committed.`);
    }
    if (current.state === 'aborted') {
      if (commandName === 'abortTransaction') return current;
      throw noSuchTransaction(txnNumber);
    }
    return current;
  }

  /**
   * Retryable writes carry lsid + txnNumber outside transactions. A driver resends the same
   * txnNumber only when it never saw the reply (network error): answer the first outcome again
   * instead of applying the write twice.
   */
  previousRetryableReply(key: string | undefined, cmd: Doc): Doc | undefined {
    if (key === undefined || cmd.txnNumber === undefined || cmd.autocommit !== undefined) return undefined;
    const last = this.sessions.get(key)?.lastRetryable;
    return last && last.txnNumber === Number(cmd.txnNumber) ? last.reply : undefined;
  }

  rememberRetryable(key: string | undefined, cmd: Doc, reply: Doc): void {
    if (key === undefined || cmd.txnNumber === undefined || cmd.autocommit !== undefined) return;
    this.session(key).lastRetryable = { txnNumber: Number(cmd.txnNumber), reply };
  }

  commit(txn: Transaction): void {
    if (txn.state === 'committed') return; // a retried commit is acknowledged again
    if (txn.state === 'aborted') throw noSuchTransaction(txn.txnNumber);
    commitTransaction(this.engine, txn);
  }

  abort(txn: Transaction): void {
    if (txn.state === 'aborted') throw noSuchTransaction(txn.txnNumber);
    if (txn.state === 'committed') {
      throw new MongoServerError(ErrorCodes.TransactionCommitted, 'Cannot abort a committed transaction');
    }
    endTransaction(this.engine, txn, 'aborted');
  }

  /** A failed command aborts its transaction, as in MongoDB. */
  abortAfterError(txn: Transaction): void {
    if (txn.state === 'active') endTransaction(this.engine, txn, 'aborted');
  }

  end(key: string): void {
    const s = this.sessions.get(key);
    if (s?.txn?.state === 'active') endTransaction(this.engine, s.txn, 'aborted');
    this.sessions.delete(key);
  }

  /** Aborts transactions older than the lifetime limit (clients that vanished mid-transaction). */
  reap(now = Date.now()): void {
    for (const s of this.sessions.values()) {
      if (s.txn?.state === 'active' && s.startedAt !== undefined && now - s.startedAt > TRANSACTION_LIFETIME_MS) {
        endTransaction(this.engine, s.txn, 'aborted');
      }
    }
  }

  /**
   * killSessions / killAllSessions: aborts the open transactions of the sessions named (all when none are), as
   * mongod kills their operations; the sessions stay usable, with their retryable-write history.
   */
  killTransactions(keys?: string[]): void {
    for (const key of keys ?? [...this.sessions.keys()]) {
      const txn = this.sessions.get(key)?.txn;
      if (txn?.state === 'active') endTransaction(this.engine, txn, 'aborted');
    }
  }

  abortAll(): void {
    for (const key of [...this.sessions.keys()]) this.end(key);
  }
}
