/** What every command handler receives, and the shared state it may use. */
import { Long } from 'bson';
import type { Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { LockedError } from '../txn/transaction.js';
import { CollectionAccess } from '../storage/access.js';
import type { Engine } from '../storage/engine.js';
import type { Transaction } from '../txn/transaction.js';
import type { CursorStore } from './cursors.js';

export interface ServerInfo {
  host: string;
  port: number;
  setName: string;
  startedAt: Date;
}

export interface CommandContext {
  engine: Engine;
  cursors: CursorStore;
  server: ServerInfo;
  connectionId: number;
  db: string;
  cmd: Doc;
  /** The open transaction this command runs in, if any. */
  txn?: Transaction;
  /** Session key (lsid) when the client sent one. */
  sessionKey?: string;
}

export type Handler = (ctx: CommandContext) => Doc | Promise<Doc>;

export function access(ctx: CommandContext, collection: string, db = ctx.db): CollectionAccess {
  const acc = new CollectionAccess(ctx.engine, db, collection, ctx.txn);
  acc.bypassValidation = ctx.cmd.bypassDocumentValidation === true;
  return acc;
}

/** The collection a command names in its first field. */
export function collectionName(ctx: CommandContext): string {
  const name = ctx.cmd[Object.keys(ctx.cmd)[0]];
  if (typeof name !== 'string' || name.length === 0) {
    fail(ErrorCodes.InvalidNamespace, `collection name has invalid type ${typeof name}`);
  }
  return name;
}

export function toLong(n: number | bigint): Long {
  return Long.fromBigInt(BigInt(n));
}

export function optionalNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (v instanceof Long) return v.toNumber();
  return Number(v);
}

/** How long a write outside a transaction waits for a transaction holding its document. */
const LOCK_WAIT_MS = 30_000;

/**
 * Runs a single-document write; if an open transaction holds the document (or unique key), waits
 * for that transaction to finish and tries again, as MongoDB blocks such writes. Synchronous when
 * nothing is locked, so bulk inserts pay no promise per document.
 */
export function writeWaitingForLocks(write: () => void): Promise<void> | undefined {
  try {
    write();
    return undefined;
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    return waitAndRetry(write, err);
  }
}

async function waitAndRetry(write: () => void, first: LockedError): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let locked: LockedError = first;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      fail(ErrorCodes.WriteConflict, 'Write conflict: the document is held by a transaction that did not finish in time');
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([locked.holder.finished, new Promise((r) => (timer = setTimeout(r, remaining)))]);
    clearTimeout(timer);
    try {
      write();
      return;
    } catch (err) {
      if (!(err instanceof LockedError)) throw err;
      locked = err;
    }
  }
}
