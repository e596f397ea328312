/**
 * commitTransaction and abortTransaction (the dispatcher has already resolved the transaction), and
 * killSessions / killAllSessions, which end sessions' transactions and cursors.
 */
import { ErrorCodes, fail } from '../errors.js';
import type { Handler } from './context.js';
import { sessionKeyOf } from './admin.js';
import type { SessionRegistry } from '../txn/sessions.js';

export function transactionCommands(sessions: SessionRegistry): Record<string, Handler> {
  return {
    commitTransaction(ctx) {
      if (!ctx.txn) fail(ErrorCodes.InvalidOptions, 'commitTransaction must be run within a transaction');
      sessions.commit(ctx.txn);
      return { ok: 1 };
    },
    abortTransaction(ctx) {
      if (!ctx.txn) fail(ErrorCodes.InvalidOptions, 'abortTransaction must be run within a transaction');
      sessions.abort(ctx.txn);
      return { ok: 1 };
    },
    /** Without authentication every session matches any user pattern, so this kills them all. */
    killAllSessions(ctx) {
      sessions.killTransactions();
      ctx.cursors.killAllSessions();
      return { ok: 1 };
    },
    killSessions(ctx) {
      const lsids: unknown = ctx.cmd.killSessions;
      if (!Array.isArray(lsids)) fail(ErrorCodes.TypeMismatch, 'killSessions must be an array of session ids');
      const keys = lsids.map(sessionKeyOf);
      sessions.killTransactions(keys);
      for (const key of keys) ctx.cursors.killSession(key);
      return { ok: 1 };
    },
  };
}
