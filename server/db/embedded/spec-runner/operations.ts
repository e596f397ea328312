/**
 * Entity operations (driver calls) and their results turned into plain documents, plus the runner's own
 * "testRunner" operations. Each operation returns { result, rootElements } for matching.
 */
import { Collection, Db, MongoClient, type ClientSession, type Document } from 'mongodb';
import { convertCommonOptions, plainNumbers, type EntityMap } from './entities.js';
import { describe, isDocument } from './matcher.js';
import type { Doc, Operation } from './types.js';

export interface OpOutcome {
  result: unknown;
  /** The result is an array of root-level documents (from a cursor). */
  rootElements?: boolean;
}

export interface OpEnv {
  entities: EntityMap;
  /** The internal client (initialData, outcome, assertCollectionExists...). */
  internal: MongoClient;
  /** Runs a nested operation with its own assertions (withTransaction callbacks, runOnThread). */
  runNested(op: Operation): Promise<void>;
  /** Names of the fail points set during the test, disabled afterwards. */
  failPoints: string[];
}

/** Raised when a test uses something the installed driver does not offer: the test is skipped, not failed. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

/** Operation arguments with the session resolved and concerns/preferences converted; documents untouched. */
function prepareArgs(env: OpEnv, args: Doc | undefined): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(args ?? {})) {
    switch (k) {
      case 'session':
        out.session = env.entities.get(String(v), 'session').session;
        break;
      case 'readConcern':
      case 'readPreference':
      case 'writeConcern':
        Object.assign(out, convertCommonOptions({ [k]: v }));
        break;
      case 'returnDocument': {
        const s = String(v).toLowerCase();
        if (s !== 'before' && s !== 'after') throw new Error(`returnDocument must be Before or After, got ${String(v)}`);
        out.returnDocument = s;
        break;
      }
      case 'sort':
      case 'keys':
        // The driver interprets these itself (sort direction, index key spec) and expects JS numbers.
        out[k] = plainNumbers(v);
        break;
      default:
        // Scalars (limit, skip, batchSize, maxTimeMS, upsert...) as JS numbers; documents keep their BSON types.
        out[k] = isDocument(v) || Array.isArray(v) ? v : plainNumbers(v);
    }
  }
  return out;
}

function take(args: Doc, ...names: string[]): unknown[] {
  return names.map(n => {
    const v = args[n];
    delete args[n];
    return v;
  });
}

/** Own enumerable fields without undefined values; Maps become documents keyed by their keys. */
export function toPlain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toPlain(x)]));
  if (Array.isArray(v)) return v.map(toPlain);
  if (isDocument(v)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toPlain(x);
    return out;
  }
  return v;
}

/** BulkWriteResult (collection level) as the spec's document. */
export function bulkResultDoc(r: unknown): Doc | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const b = r as Record<string, unknown>;
  return toPlain({
    deletedCount: b.deletedCount,
    insertedCount: b.insertedCount,
    insertedIds: b.insertedIds,
    matchedCount: b.matchedCount,
    modifiedCount: b.modifiedCount,
    upsertedCount: b.upsertedCount,
    upsertedIds: b.upsertedIds,
  }) as Doc;
}

function updateResultDoc(r: unknown): Doc {
  const u = toPlain(r) as Doc;
  // The driver reports upsertedId: null when nothing was upserted; the spec's result has no such field.
  if (u.upsertedId === null) delete u.upsertedId;
  return u;
}

/** clientBulkWrite models ({insertOne: {namespace, document}}) → the driver's ({name, namespace, document}). */
function clientBulkModels(models: unknown): Document[] {
  if (!Array.isArray(models)) throw new Error('clientBulkWrite: models must be an array');
  return models.map(m => {
    const [name] = Object.keys(m as Doc);
    return { name, ...((m as Doc)[name] as Doc) };
  });
}

function bulkRequests(requests: unknown): Document[] {
  if (!Array.isArray(requests)) throw new Error('bulkWrite: requests must be an array');
  return requests.map(r => {
    const [name] = Object.keys(r as Doc);
    const body = { ...((r as Doc)[name] as Doc) };
    for (const k of Object.keys(body)) {
      if (k === 'sort' || (!isDocument(body[k]) && !Array.isArray(body[k]))) body[k] = plainNumbers(body[k]);
    }
    return { [name]: body };
  });
}

async function listNames(client: MongoClient, dbName: string): Promise<string[]> {
  const cols = await client.db(dbName).listCollections({}, { nameOnly: true }).toArray();
  return cols.map(c => c.name);
}

async function indexNames(client: MongoClient, dbName: string, coll: string): Promise<string[]> {
  try {
    const idx = await client.db(dbName).collection(coll).listIndexes().toArray();
    return idx.map(i => String(i.name));
  } catch (e) {
    if ((e as { code?: number }).code === 26) return [];
    throw e;
  }
}

const TXN_STATES: Record<string, string[]> = {
  none: ['NO_TRANSACTION'],
  starting: ['STARTING_TRANSACTION'],
  in_progress: ['TRANSACTION_IN_PROGRESS'],
  committed: ['TRANSACTION_COMMITTED', 'TRANSACTION_COMMITTED_EMPTY'],
  aborted: ['TRANSACTION_ABORTED'],
};

function sessionOf(env: OpEnv, args: Doc | undefined): ClientSession {
  return env.entities.get(String(args?.session), 'session').session;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** testRunner operations. */
async function runSpecial(env: OpEnv, op: Operation): Promise<OpOutcome> {
  const a = op.arguments ?? {};
  const { entities, internal } = env;
  switch (op.name) {
    case 'createEntities':
      await entities.create(a.entities as Doc[]);
      return { result: undefined };
    case 'assertSessionTransactionState': {
      const state = String((sessionOf(env, a) as unknown as { transaction: { state: string } }).transaction.state);
      const want = TXN_STATES[String(a.state)];
      if (!want) throw new Error(`unknown transaction state ${String(a.state)}`);
      check(want.includes(state), `session transaction state is ${state}, expected ${String(a.state)}`);
      return { result: undefined };
    }
    case 'assertSessionPinned':
      check(sessionOf(env, a).isPinned, 'session should be pinned');
      return { result: undefined };
    case 'assertSessionUnpinned':
      check(!sessionOf(env, a).isPinned, 'session should be unpinned');
      return { result: undefined };
    case 'assertSessionDirty':
    case 'assertSessionNotDirty': {
      const dirty = Boolean((sessionOf(env, a) as unknown as { serverSession?: { isDirty?: boolean } }).serverSession?.isDirty);
      check(dirty === (op.name === 'assertSessionDirty'), `session dirty is ${dirty}`);
      return { result: undefined };
    }
    case 'assertSameLsidOnLastTwoCommands':
    case 'assertDifferentLsidOnLastTwoCommands': {
      const client = entities.get(String(a.client), 'client');
      if (!client.recorder) throw new Error(`client ${String(a.client)} does not observe commandStartedEvent`);
      const started = client.recorder.commandStarted();
      check(started.length >= 2, 'fewer than two commandStartedEvents observed');
      const [x, y] = started.slice(-2).map(e => (e.command as Doc).lsid as Doc | undefined);
      check(!!x && !!y, 'a command has no lsid');
      const same = describe(x) === describe(y);
      check(same === (op.name === 'assertSameLsidOnLastTwoCommands'), `lsids ${same ? 'are equal' : 'differ'}`);
      return { result: undefined };
    }
    case 'assertCollectionExists':
    case 'assertCollectionNotExists': {
      const names = await listNames(internal, String(a.databaseName));
      const exists = names.includes(String(a.collectionName));
      check(exists === (op.name === 'assertCollectionExists'), `collection ${String(a.databaseName)}.${String(a.collectionName)} ${exists ? 'exists' : 'does not exist'}`);
      return { result: undefined };
    }
    case 'assertIndexExists':
    case 'assertIndexNotExists': {
      const names = await indexNames(internal, String(a.databaseName), String(a.collectionName));
      const exists = names.includes(String(a.indexName));
      check(exists === (op.name === 'assertIndexExists'), `index ${String(a.indexName)} ${exists ? 'exists' : 'does not exist'} (indexes: ${names.join(', ')})`);
      return { result: undefined };
    }
    case 'assertNumberConnectionsCheckedOut': {
      const c = entities.get(String(a.client), 'client');
      await new Promise(r => setImmediate(r));
      check(c.checkedOut === Number(plainNumbers(a.connections)), `${c.checkedOut} connections checked out, expected ${String(plainNumbers(a.connections))}`);
      return { result: undefined };
    }
    case 'failPoint': {
      const { client } = entities.get(String(a.client), 'client');
      const fp = a.failPoint as Doc;
      await client.db('admin').command(fp);
      env.failPoints.push(String(fp.configureFailPoint));
      return { result: undefined };
    }
    case 'targetedFailPoint': {
      // A single-server deployment: the pinned server is the only server, reached through the session's client.
      const se = entities.get(String(a.session), 'session');
      const { client } = entities.get(se.clientId, 'client');
      const fp = a.failPoint as Doc;
      await client.db('admin').command(fp);
      env.failPoints.push(String(fp.configureFailPoint));
      return { result: undefined };
    }
    case 'runOnThread': {
      const t = entities.get(String(a.thread), 'thread');
      t.queue = t.queue.then(() => env.runNested(a.operation as Operation)).catch(e => {
        t.error ??= e;
      });
      return { result: undefined };
    }
    case 'waitForThread': {
      const t = entities.get(String(a.thread), 'thread');
      await t.queue;
      if (t.error) throw t.error;
      return { result: undefined };
    }
    case 'wait':
      await new Promise(r => setTimeout(r, Number(plainNumbers(a.ms))));
      return { result: undefined };
    default:
      throw new Error(`testRunner operation "${op.name}" is not implemented by this runner`);
  }
}

/** Executes one operation and returns its (converted) result; errors propagate to the caller. */
export async function executeOperation(env: OpEnv, op: Operation): Promise<OpOutcome> {
  if (op.object === 'testRunner') return runSpecial(env, op);
  const entry = env.entities.any(op.object);
  const args = prepareArgs(env, op.arguments);

  if (entry.kind === 'collection') return collectionOp(entry.value, op.name, args);
  if (entry.kind === 'database') return databaseOp(entry.value, op.name, args);
  if (entry.kind === 'client') return clientOp(entry.value.client, op.name, args);
  if (entry.kind === 'session') return sessionOp(env, entry.value.session, op, args);
  if (entry.kind === 'cursor') return cursorOp(entry.value, op.name);
  if (entry.kind === 'bucket') throw new Error(`GridFS bucket operation "${op.name}" is not implemented by this runner`);
  throw new Error(`operation "${op.name}" on entity "${op.object}" of type ${entry.kind} is not supported`);
}

async function collectionOp(coll: Collection, name: string, args: Doc): Promise<OpOutcome> {
  switch (name) {
    case 'find': {
      const [filter] = take(args, 'filter');
      return { result: await coll.find((filter ?? {}) as Doc, args).toArray(), rootElements: true };
    }
    case 'findOne': {
      const [filter] = take(args, 'filter');
      return { result: (await coll.findOne((filter ?? {}) as Doc, args)) ?? null };
    }
    case 'createFindCursor': {
      const [filter] = take(args, 'filter');
      const cursor = coll.find((filter ?? {}) as Doc, args);
      await cursor.hasNext();
      return { result: cursor };
    }
    case 'aggregate': {
      const [pipeline] = take(args, 'pipeline');
      return { result: await coll.aggregate(pipeline as Doc[], args).toArray(), rootElements: true };
    }
    case 'countDocuments': {
      const [filter] = take(args, 'filter');
      return { result: await coll.countDocuments((filter ?? {}) as Doc, args) };
    }
    case 'estimatedDocumentCount':
      return { result: await coll.estimatedDocumentCount(args) };
    case 'count': {
      const [filter] = take(args, 'filter');
      return { result: await coll.count((filter ?? {}) as Doc, args) };
    }
    case 'distinct': {
      const [field, filter] = take(args, 'fieldName', 'filter');
      return { result: await coll.distinct(String(field), (filter ?? {}) as Doc, args) };
    }
    case 'insertOne': {
      const [doc] = take(args, 'document');
      return { result: toPlain(await coll.insertOne(doc as Doc, args)) };
    }
    case 'insertMany': {
      const [docs] = take(args, 'documents');
      return { result: toPlain(await coll.insertMany(docs as Doc[], args)) };
    }
    case 'updateOne':
    case 'updateMany': {
      const [filter, update] = take(args, 'filter', 'update');
      const r = name === 'updateOne' ? await coll.updateOne(filter as Doc, update as Doc, args) : await coll.updateMany(filter as Doc, update as Doc, args);
      return { result: updateResultDoc(r) };
    }
    case 'replaceOne': {
      const [filter, replacement] = take(args, 'filter', 'replacement');
      return { result: updateResultDoc(await coll.replaceOne(filter as Doc, replacement as Doc, args)) };
    }
    case 'deleteOne':
    case 'deleteMany': {
      const [filter] = take(args, 'filter');
      const r = name === 'deleteOne' ? await coll.deleteOne(filter as Doc, args) : await coll.deleteMany(filter as Doc, args);
      return { result: toPlain(r) };
    }
    case 'findOneAndUpdate': {
      const [filter, update] = take(args, 'filter', 'update');
      return { result: (await coll.findOneAndUpdate(filter as Doc, update as Doc, args)) ?? null };
    }
    case 'findOneAndReplace': {
      const [filter, replacement] = take(args, 'filter', 'replacement');
      return { result: (await coll.findOneAndReplace(filter as Doc, replacement as Doc, args)) ?? null };
    }
    case 'findOneAndDelete': {
      const [filter] = take(args, 'filter');
      return { result: (await coll.findOneAndDelete(filter as Doc, args)) ?? null };
    }
    case 'bulkWrite': {
      const [requests] = take(args, 'requests');
      const r = await coll.bulkWrite(bulkRequests(requests) as never, args);
      return { result: bulkResultDoc(r) };
    }
    case 'createIndex': {
      const [keys] = take(args, 'keys');
      return { result: await coll.createIndex(keys as never, args) };
    }
    case 'dropIndex': {
      const [index] = take(args, 'name');
      return { result: toPlain(await coll.dropIndex(String(index), args)) };
    }
    case 'dropIndexes':
      return { result: await coll.dropIndexes(args) };
    case 'listIndexes':
      return { result: await coll.listIndexes(args).toArray(), rootElements: true };
    case 'listIndexNames':
      return { result: (await coll.listIndexes(args).toArray()).map(i => i.name) };
    case 'drop':
      return { result: await coll.drop(args) };
    case 'rename': {
      const [to] = take(args, 'to');
      await coll.rename(String(to), args);
      return { result: undefined };
    }
    case 'watch':
    case 'createChangeStream':
      throw new Error('change streams are not implemented by this runner');
    default:
      throw new Error(`collection operation "${name}" is not implemented by this runner`);
  }
}

async function databaseOp(db: Db, name: string, args: Doc): Promise<OpOutcome> {
  switch (name) {
    case 'runCommand': {
      const [command] = take(args, 'command', 'commandName');
      return { result: await db.command(command as Doc, args) };
    }
    case 'runCursorCommand': {
      const [command] = take(args, 'command', 'commandName');
      return { result: await db.runCursorCommand(command as Doc, args).toArray(), rootElements: true };
    }
    case 'createCommandCursor': {
      const [command] = take(args, 'command', 'commandName');
      const cursor = db.runCursorCommand(command as Doc, args);
      await cursor.hasNext();
      return { result: cursor };
    }
    case 'aggregate': {
      const [pipeline] = take(args, 'pipeline');
      return { result: await db.aggregate(pipeline as Doc[], args).toArray(), rootElements: true };
    }
    case 'createCollection': {
      const [name] = take(args, 'collection');
      await db.createCollection(String(name), args);
      return { result: undefined };
    }
    case 'dropCollection': {
      const [name] = take(args, 'collection');
      return { result: await db.dropCollection(String(name), args) };
    }
    case 'listCollections': {
      const [filter] = take(args, 'filter');
      return { result: await db.listCollections((filter ?? {}) as Doc, args).toArray(), rootElements: true };
    }
    case 'listCollectionNames': {
      const [filter] = take(args, 'filter');
      return { result: (await db.listCollections((filter ?? {}) as Doc, { ...args, nameOnly: true }).toArray()).map(c => c.name) };
    }
    case 'modifyCollection': {
      const [collection] = take(args, 'collection');
      const { session, ...rest } = args;
      return { result: await db.command({ collMod: collection, ...rest }, { session: session as ClientSession | undefined }) };
    }
    case 'drop':
      return { result: await db.dropDatabase(args) };
    default:
      throw new Error(`database operation "${name}" is not implemented by this runner`);
  }
}

async function clientOp(client: MongoClient, name: string, args: Doc): Promise<OpOutcome> {
  switch (name) {
    case 'clientBulkWrite': {
      if (typeof (client as { bulkWrite?: unknown }).bulkWrite !== 'function') {
        throw new UnsupportedError('the installed driver has no client-level bulkWrite');
      }
      const [models] = take(args, 'models');
      const r = await client.bulkWrite(clientBulkModels(models) as never, args);
      return { result: toPlain(r) };
    }
    case 'listDatabases': {
      const [filter] = take(args, 'filter');
      const r = await client.db('admin').admin().listDatabases({ ...args, ...(filter ? { filter } : {}) } as never);
      return { result: toPlain(r.databases), rootElements: true };
    }
    case 'listDatabaseNames': {
      const r = await client.db('admin').admin().listDatabases({ ...args, nameOnly: true } as never);
      return { result: r.databases.map(d => d.name) };
    }
    case 'close':
      await client.close();
      return { result: undefined };
    default:
      throw new Error(`client operation "${name}" is not implemented by this runner`);
  }
}

async function sessionOp(env: OpEnv, session: ClientSession, op: Operation, args: Doc): Promise<OpOutcome> {
  switch (op.name) {
    case 'startTransaction':
      session.startTransaction(args);
      return { result: undefined };
    case 'commitTransaction':
      return { result: toPlain(await session.commitTransaction()) };
    case 'abortTransaction':
      return { result: toPlain(await session.abortTransaction()) };
    case 'endSession':
      await session.endSession();
      return { result: undefined };
    case 'withTransaction': {
      const [callback] = take(args, 'callback');
      const ops = (op.arguments?.callback ?? callback) as Operation[];
      const r = await session.withTransaction(async () => {
        for (const nested of ops) await env.runNested(nested);
      }, args);
      return { result: toPlain(r) };
    }
    case 'getSnapshotTime':
      return { result: (session as unknown as { snapshotTime?: unknown }).snapshotTime };
    default:
      throw new Error(`session operation "${op.name}" is not implemented by this runner`);
  }
}

async function cursorOp(cursor: { next(): Promise<unknown>; tryNext(): Promise<unknown>; close(): Promise<void> }, name: string): Promise<OpOutcome> {
  switch (name) {
    case 'iterateUntilDocumentOrError':
      return { result: await cursor.next() };
    case 'iterateOnce':
      return { result: (await cursor.tryNext()) ?? undefined };
    case 'close':
      await cursor.close().catch(() => undefined);
      return { result: undefined };
    default:
      throw new Error(`cursor operation "${name}" is not implemented by this runner`);
  }
}
