/** Server-side cursors: results beyond the first batch wait here for getMore. */
import { calculateObjectSize, Long } from 'bson';
import type { Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { optionalNumber, type CommandContext, type Handler } from './context.js';

const DEFAULT_FIRST_BATCH = 101;
/** Stay well under the 16 MiB reply limit: a batch that must be the only one (singleBatch) may fill it. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/**
 * A batch of a cursor that stays open stops at 2 MiB: its reply is built, encoded and written in one go, which at
 * 16 MiB held every other connection for 130-250 ms; the client takes the rest with getMore (MongoDB too answers
 * with fewer documents than asked for when a batch is full).
 */
const OPEN_CURSOR_BATCH_BYTES = 2 * 1024 * 1024;

/** MongoDB's cursorTimeoutMillis default: idle cursors are closed after 10 minutes. */
const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

/** The session and transaction a cursor was opened in: its getMores must come from the same. */
export interface CursorOwner {
  sessionKey?: string;
  txnNumber?: string;
}

/** The owner a command gives the cursor it opens (`txnNumber` only inside a transaction, not a retryable write). */
export function cursorOwner(ctx: CommandContext): CursorOwner {
  const inTransaction = ctx.cmd.autocommit === false && ctx.cmd.txnNumber !== undefined;
  return { sessionKey: ctx.sessionKey, txnNumber: inTransaction ? String(ctx.cmd.txnNumber) : undefined };
}

interface OpenCursor extends CursorOwner {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

/** MongoDB's checks of a getMore against its cursor's owner (getmore_cmd.cpp: validateLSID, validateTxnNumber). */
function checkOwner(id: string, cursor: CursorOwner, caller: CursorOwner): void {
  const prefix = `Cannot run getMore on cursor ${id}, which was`;
  if (!cursor.sessionKey && caller.sessionKey) fail(50736, `${prefix} not created in a session, in session ${caller.sessionKey}`);
  if (cursor.sessionKey && !caller.sessionKey) fail(50737, `${prefix} created in session ${cursor.sessionKey}, without an lsid`);
  if (cursor.sessionKey !== caller.sessionKey) fail(50738, `${prefix} created in session ${cursor.sessionKey}, in session ${caller.sessionKey}`);
  if (caller.txnNumber && !cursor.txnNumber) fail(50739, `${prefix} not created in a transaction, in transaction ${caller.txnNumber}`);
  if (!caller.txnNumber && cursor.txnNumber) fail(50740, `${prefix} created in transaction ${cursor.txnNumber}, without a txnNumber`);
  if (caller.txnNumber !== cursor.txnNumber) fail(50741, `${prefix} created in transaction ${cursor.txnNumber}, in transaction ${caller.txnNumber}`);
}

export class CursorStore {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1n;

  /** Takes a first batch; parks the rest under a new cursor id (0 when nothing is left). */
  open(ns: string, docs: Doc[], batchSize: number | undefined, owner: CursorOwner, singleBatch = false): Doc {
    // batchSize 0 asks for an open cursor with an empty first batch.
    const size = batchSize === undefined ? DEFAULT_FIRST_BATCH : batchSize;
    const cursor: OpenCursor = { ns, docs, pos: 0, ...owner, lastUsed: Date.now() };
    const firstBatch = takeBatch(cursor, size, singleBatch ? MAX_BATCH_BYTES : OPEN_CURSOR_BATCH_BYTES);
    let id = Long.ZERO;
    if (cursor.pos < docs.length && !singleBatch) {
      const n = this.nextId++;
      id = Long.fromBigInt(n);
      this.cursors.set(n.toString(), cursor);
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  getMore(id: Long, batchSize: number | undefined, caller: CursorOwner): Doc {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) fail(ErrorCodes.CursorNotFound, `cursor id ${key} not found`);
    checkOwner(key, cursor, caller);
    cursor.lastUsed = Date.now();
    const nextBatch = takeBatch(cursor, batchSize && batchSize > 0 ? batchSize : Infinity, OPEN_CURSOR_BATCH_BYTES);
    const done = cursor.pos >= cursor.docs.length;
    if (done) this.cursors.delete(key);
    return { cursor: { nextBatch, id: done ? Long.ZERO : id, ns: cursor.ns }, ok: 1 };
  }

  kill(ids: Long[]): Doc {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) (this.cursors.delete(id.toString()) ? killed : notFound).push(id);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  /** Closes cursors left idle longer than the timeout (clients that never exhausted or killed them). */
  reap(now = Date.now()): void {
    for (const [id, c] of this.cursors) if (now - c.lastUsed > CURSOR_TIMEOUT_MS) this.cursors.delete(id);
  }

  /** Cursors die with their session (endSessions). */
  killSession(sessionKey: string): void {
    for (const [id, c] of this.cursors) if (c.sessionKey === sessionKey) this.cursors.delete(id);
  }

  /** Closes every cursor opened in a session (killAllSessions). */
  killAllSessions(): void {
    for (const [id, c] of this.cursors) if (c.sessionKey !== undefined) this.cursors.delete(id);
  }
}

function takeBatch(cursor: OpenCursor, size: number, maxBytes: number): Doc[] {
  const out: Doc[] = [];
  let bytes = 0;
  while (cursor.pos < cursor.docs.length && out.length < size) {
    const doc = cursor.docs[cursor.pos];
    bytes += calculateObjectSize(doc);
    if (out.length > 0 && bytes > maxBytes) break;
    out.push(doc);
    cursor.pos++;
  }
  return out;
}

export const cursorCommands: Record<string, Handler> = {
  getMore(ctx: CommandContext) {
    const id = ctx.cmd.getMore;
    const long = id instanceof Long ? id : Long.fromNumber(Number(id));
    return ctx.cursors.getMore(long, optionalNumber(ctx.cmd.batchSize), cursorOwner(ctx));
  },
  killCursors(ctx: CommandContext) {
    const ids = (ctx.cmd.cursors ?? []).map((id: unknown) => (id instanceof Long ? id : Long.fromNumber(Number(id))));
    return ctx.cursors.kill(ids);
  },
};
