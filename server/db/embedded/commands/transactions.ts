/** commitTransaction and abortTransaction (the dispatcher has already resolved the transaction). */
import { ErrorCodes, fail } from '../errors.js';
import type { Handler } from './context.js';
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
  };
}
