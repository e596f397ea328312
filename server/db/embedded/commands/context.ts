/** What every command handler receives, and the shared state it may use. */
import { isInt64 } from '../bson-values.js';
import type { Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import type { Transaction } from '../txn/transaction.js';
import { CollectionAccess } from '../storage/access.js';
import type { Engine } from '../storage/engine.js';
import type { CursorStore } from './cursors.js';

export interface ServerInfo {
  host: string;
  port: number;
  /** The Unix domain socket the server listens on instead of a TCP port. */
  socketPath?: string;
  setName: string;
  startedAt: Date;
  /** Test commands (configureFailPoint) are accepted, as mongod's `enableTestCommands` parameter allows them. */
  testCommands?: boolean;
  /** The TTL monitor's parameters (setParameter ttlMonitorEnabled / ttlMonitorSleepSecs). */
  ttl?: { enabled: boolean; sleepSecs: number; changed?: () => void };
}

/** How clients reach this member, as hello and replSetGetStatus name it: the socket path, or host:port. */
export function selfAddress(server: ServerInfo): string {
  return server.socketPath ?? `${server.host}:${server.port}`;
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
  /** The length of the message that carried the command (undefined when it did not come over the wire). */
  messageBytes?: number;
}

export type Handler = (ctx: CommandContext) => Doc | Promise<Doc>;

export function access(ctx: CommandContext, collection: string, db = ctx.db): CollectionAccess {
  const acc = new CollectionAccess(ctx.engine, db, collection, ctx.txn);
  acc.bypassValidation = ctx.cmd.bypassDocumentValidation === true;
  const maxTimeMS = optionalNumber(ctx.cmd.maxTimeMS);
  if (maxTimeMS && maxTimeMS > 0) acc.maxTimeMS = maxTimeMS;
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

export function optionalNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (isInt64(v)) return v.toNumber();
  return Number(v);
}

/** How long a write outside a transaction waits for a transaction holding its document. */
const LOCK_WAIT_MS = 30_000;

/** A statement's intended writes: [document id, new document or null for a delete]. */
export type Targets = Array<[string, Doc | null]>;

/**
 * Runs one write statement: `compute` reads and works out the writes (no side effects), `apply`
 * performs them. If an open transaction holds a target, waits for it to finish and computes again
 * from fresh data, as MongoDB blocks such writes. Check and apply run in one synchronous step, so
 * nothing can take a lock in between; when nothing is locked no promise is created at all.
 */
export function writeWhenUnlocked<P, R>(
  acc: CollectionAccess,
  compute: () => { plan: P; targets: Targets },
  apply: (plan: P) => R,
): R | Promise<R> {
  const first = compute();
  const holder = acc.txn ? undefined : acc.lockHolder(first.targets);
  if (!holder) return apply(first.plan);
  return waitAndRetry(acc, compute, apply, holder);
}

async function waitAndRetry<P, R>(
  acc: CollectionAccess,
  compute: () => { plan: P; targets: Targets },
  apply: (plan: P) => R,
  firstHolder: Transaction,
): Promise<R> {
  const deadline = Date.now() + (acc.maxTimeMS ?? LOCK_WAIT_MS);
  let holder: Transaction | undefined = firstHolder;
  while (holder) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      if (acc.maxTimeMS !== undefined) fail(ErrorCodes.MaxTimeMSExpired, 'operation exceeded time limit');
      fail(ErrorCodes.WriteConflict, 'Write conflict: the document is held by a transaction that did not finish in time');
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([holder.finished, new Promise((r) => (timer = setTimeout(r, remaining)))]);
    clearTimeout(timer);
    const next = compute();
    holder = acc.lockHolder(next.targets);
    if (!holder) return apply(next.plan);
  }
  throw new Error('unreachable');
}
