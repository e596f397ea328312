/** Server-side cursors: results beyond the first batch wait here for getMore. */
import { calculateObjectSize, Long } from 'bson';
import type { Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { optionalNumber, type CommandContext, type Handler } from './context.js';

const DEFAULT_FIRST_BATCH = 101;
/** Stay well under the 16 MiB reply limit. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

/** MongoDB's cursorTimeoutMillis default: idle cursors are closed after 10 minutes. */
const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  sessionKey?: string;
  lastUsed: number;
}

export class CursorStore {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1n;

  /** Takes a first batch; parks the rest under a new cursor id (0 when nothing is left). */
  open(ns: string, docs: Doc[], batchSize: number | undefined, sessionKey?: string, singleBatch = false): Doc {
    // batchSize 0 asks for an open cursor with an empty first batch.
    const size = batchSize === undefined ? DEFAULT_FIRST_BATCH : batchSize;
    const cursor: OpenCursor = { ns, docs, pos: 0, sessionKey, lastUsed: Date.now() };
    const firstBatch = takeBatch(cursor, size);
    let id = Long.ZERO;
    if (cursor.pos < docs.length && !singleBatch) {
      const n = this.nextId++;
      id = Long.fromBigInt(n);
      this.cursors.set(n.toString(), cursor);
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  getMore(id: Long, batchSize: number | undefined): Doc {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) fail(ErrorCodes.CursorNotFound, `cursor id ${key} not found`);
    cursor.lastUsed = Date.now();
    const nextBatch = takeBatch(cursor, batchSize && batchSize > 0 ? batchSize : Infinity);
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

function takeBatch(cursor: OpenCursor, size: number): Doc[] {
  const out: Doc[] = [];
  let bytes = 0;
  while (cursor.pos < cursor.docs.length && out.length < size) {
    const doc = cursor.docs[cursor.pos];
    bytes += calculateObjectSize(doc);
    if (out.length > 0 && bytes > MAX_BATCH_BYTES) break;
    out.push(doc);
    cursor.pos++;
  }
  return out;
}

export const cursorCommands: Record<string, Handler> = {
  getMore(ctx: CommandContext) {
    const id = ctx.cmd.getMore;
    const long = id instanceof Long ? id : Long.fromNumber(Number(id));
    return ctx.cursors.getMore(long, optionalNumber(ctx.cmd.batchSize));
  },
  killCursors(ctx: CommandContext) {
    const ids = (ctx.cmd.cursors ?? []).map((id: unknown) => (id instanceof Long ? id : Long.fromNumber(Number(id))));
    return ctx.cursors.kill(ids);
  },
};
