/** Databases, collections and indexes: create, drop, rename, list, index management, stats. */
import { calculateObjectSize } from 'bson';
import { createQuery } from '../query/mingo-context.js';
import { canonicalKey, isPlainObject, toNumber, type Doc } from '../bson-values.js';
import { Decimal128, Double, Int32, Long, UUID } from 'bson';
import { ErrorCodes, fail } from '../errors.js';
import { effectiveCollation, parseCollation } from '../query/collation.js';
import { pendingCollection } from '../storage/access.js';
import type { Collection } from '../storage/collection.js';
import type { IndexSpec } from '../storage/index-structure.js';
import type { Transaction } from '../txn/transaction.js';
import { collectionName, optionalNumber, type CommandContext, type Handler } from './context.js';
import { cursorOwner } from './cursors.js';

const UNSUPPORTED_INDEX_TYPES = new Set(['text', '2d', '2dsphere', 'geoHaystack']);
const CANNOT_CREATE_INDEX = 67;
const INVALID_INDEX_SPECIFICATION_OPTION = 197;

/**
 * Each collection's UUID, as listCollections reports it in `info.uuid`: made when the server first lists the
 * collection, and kept while that collection lives (a dropped and recreated one gets a new one). It is not stored
 * (the catalog in storage/ has no place for it): after a restart, or a rename, a collection gets a new UUID, where
 * MongoDB keeps it (a rename within a database keeps it too).
 */
const UUIDS = new WeakMap<Collection, UUID>();

function collectionUuid(coll: Collection): UUID {
  let uuid = UUIDS.get(coll);
  if (!uuid) UUIDS.set(coll, (uuid = new UUID()));
  return uuid;
}

function requireCollection(ctx: CommandContext, name: string) {
  const coll = ctx.engine.getCollection(ctx.db, name);
  if (!coll) fail(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  return coll;
}

/** Query-operator validators work; JSON Schema would need a schema engine the server does not have. */
function checkValidator(validator: unknown): void {
  if (validator !== undefined && JSON.stringify(validator).includes('"$jsonSchema"')) {
    fail(ErrorCodes.NotImplemented, '$jsonSchema validators are not supported by the embedded server');
  }
}

/**
 * A clustered collection keeps its documents in `_id` order: here that is what every collection does, so
 * clustering changes only what the catalog shows. MongoDB clusters only by `{_id: 1}`, always unique;
 * the index is named `_id_` unless a name is given.
 */
function clusteredIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) fail(ErrorCodes.InvalidOptions, "The 'clusteredIndex' option must be a document");
  const key = raw.key;
  if (!isPlainObject(key) || canonicalKey(key) !== canonicalKey({ _id: 1 })) fail(ErrorCodes.InvalidOptions, 'The clusteredIndex option is only supported for key: {_id: 1}');
  if (raw.unique !== true) fail(ErrorCodes.InvalidOptions, "The 'clusteredIndex' option must have 'unique: true'");
  if (raw.v !== undefined && raw.v !== 2) fail(ErrorCodes.InvalidOptions, 'Invalid clusteredIndex version; only v: 2 is supported');
  if (raw.name !== undefined && typeof raw.name !== 'string') fail(ErrorCodes.TypeMismatch, "The clusteredIndex 'name' must be a string");
  for (const field of Object.keys(raw)) {
    if (!['key', 'unique', 'name', 'v'].includes(field)) fail(ErrorCodes.InvalidOptions, `Unknown clusteredIndex option: ${field}`);
  }
  return { v: 2, key: { _id: 1 }, name: (raw.name as string | undefined) ?? '_id_', unique: true };
}

function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

/**
 * An index's collation: its own, else the collection's default; stored completed (as listIndexes
 * shows it on MongoDB) and left out when simple.
 */
function withCollation(spec: IndexSpec, collectionDefault: unknown): IndexSpec {
  const collation = effectiveCollation(spec.collation, collectionDefault);
  const { collation: _given, ...rest } = spec;
  return collation ? { ...rest, collation: collation.spec } : rest;
}

/** Index types MongoDB knows that the embedded server builds (a hashed index answers as an ascending one would). */
const KNOWN_INDEX_TYPES = new Set(['hashed']);

const isNumberValue = (v: unknown): boolean => v instanceof Int32 || v instanceof Double || v instanceof Long || v instanceof Decimal128;

/** A key pattern value as MongoDB's index catalog accepts it: a non-zero number or a known index type (67). */
function checkKeyValue(dir: unknown): void {
  if (typeof dir === 'string') {
    if (!KNOWN_INDEX_TYPES.has(dir)) fail(CANNOT_CREATE_INDEX, `Unknown index plugin '${dir}'`);
    return;
  }
  if (typeof dir !== 'number' && !isNumberValue(dir)) {
    const type = dir === null ? 'null' : typeof dir === 'boolean' ? 'bool' : Array.isArray(dir) ? 'array' : typeof dir === 'object' ? 'object' : typeof dir;
    fail(CANNOT_CREATE_INDEX, `Values in v:2 index key pattern cannot be of type ${type}. Only numbers > 0, numbers < 0, and strings are allowed.`);
  }
  const n = toNumber(dir);
  if (Number.isNaN(n)) fail(CANNOT_CREATE_INDEX, 'Values in the index key pattern cannot be NaN.');
  if (n === 0) fail(CANNOT_CREATE_INDEX, 'Values in the index key pattern cannot be 0.');
}

/** The fields an index specification may have (mongod's index_key_validate allowed list). */
const INDEX_SPEC_FIELDS = new Set([
  'key', 'name', 'v', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'hidden', 'collation', 'background',
  'storageEngine', 'weights', 'default_language', 'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min',
  'max', 'bucketSize', 'wildcardProjection', 'ns', 'clustered', 'prepareUnique', 'columnstoreProjection', 'originalSpec',
]);

/** The expressions a partialFilterExpression may use on MongoDB 7.0 ("Partial Indexes" in the manual). */
const PARTIAL_FILTER_OPERATORS = new Set(['$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type', '$in']);

function checkPartialFilter(filter: unknown, top = true): void {
  if (!isPlainObject(filter)) fail(CANNOT_CREATE_INDEX, "'partialFilterExpression' for an index must be a document");
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!top || !Array.isArray(cond)) fail(CANNOT_CREATE_INDEX, `Expression not supported in partial index: ${key}`);
      for (const sub of cond) checkPartialFilter(sub, false);
      continue;
    }
    if (key.startsWith('$')) fail(CANNOT_CREATE_INDEX, `Expression not supported in partial index: ${key}`);
    if (!isPlainObject(cond) || !Object.keys(cond).some((k) => k.startsWith('$'))) continue;
    for (const [op, arg] of Object.entries(cond)) {
      if (!PARTIAL_FILTER_OPERATORS.has(op) || (op === '$exists' && arg !== true && arg !== 1)) {
        fail(CANNOT_CREATE_INDEX, `Expression not supported in partial index: ${key}: ${JSON.stringify({ [op]: arg })}`);
      }
    }
  }
}

function validateIndexSpec(raw: Doc): IndexSpec {
  for (const field of Object.keys(raw)) {
    if (!INDEX_SPEC_FIELDS.has(field)) fail(INVALID_INDEX_SPECIFICATION_OPTION, `The field '${field}' is not valid for an index specification. Specification: ${JSON.stringify(raw)}`);
  }
  if (!isPlainObject(raw.key) || Object.keys(raw.key).length === 0) fail(ErrorCodes.BadValue, 'Index keys cannot be empty.');
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name === '')) fail(CANNOT_CREATE_INDEX, 'The index name cannot be empty');
  if (raw.expireAfterSeconds !== undefined && Object.keys(raw.key).length > 1) {
    fail(CANNOT_CREATE_INDEX, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
  }
  if (raw.partialFilterExpression !== undefined) checkPartialFilter(raw.partialFilterExpression);
  for (const [field, dir] of Object.entries(raw.key)) {
    if (field === '') fail(CANNOT_CREATE_INDEX, 'Index keys cannot be an empty field.');
    if (field.startsWith('$') && field !== '$**') fail(CANNOT_CREATE_INDEX, "Index key contains an illegal field name: field name starts with '$'.");
    if (typeof dir === 'string' && UNSUPPORTED_INDEX_TYPES.has(dir)) {
      fail(ErrorCodes.NotImplemented, `${dir} indexes are not supported by the embedded server`);
    }
    if (field.includes('$**')) fail(ErrorCodes.NotImplemented, 'wildcard indexes are not supported by the embedded server');
    checkKeyValue(dir);
  }
  if (raw.collation !== undefined) parseCollation(raw.collation);
  const name = typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key);
  // listIndexes shows v, key and name first, then the options in the order given (as mongod does).
  const { v: _version, key, name: _name, ...options } = raw;
  return { v: 2, key, name, ...options };
}

/** Options that must match for an existing index to count as "the same index". */
function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  const pick = (s: IndexSpec) => canonicalKey([!!s.unique, !!s.sparse, s.partialFilterExpression ?? null, s.expireAfterSeconds ?? null, s.collation ?? null]);
  return pick(a) === pick(b);
}

/**
 * The requested indexes `coll` does not have yet, completed with its default collation. One that
 * exists with the same name and key and options is skipped; a different index under the name, or
 * the same key and options under another name, is refused as MongoDB refuses it.
 */
function newIndexes(coll: Collection, requested: IndexSpec[]): IndexSpec[] {
  const fresh: IndexSpec[] = [];
  for (const given of requested) {
    const spec = withCollation(given, coll.options.collation);
    const idIndex = coll.idIndexSpec();
    const sameName = spec.name === idIndex.name ? { spec: idIndex } : coll.indexes.get(spec.name);
    const sameKey = [...coll.indexes.values()].find((i) => canonicalKey(i.spec.key) === canonicalKey(spec.key));
    if (sameName) {
      if (canonicalKey(sameName.spec.key) !== canonicalKey(spec.key)) {
        fail(ErrorCodes.IndexKeySpecsConflict, `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      if (!sameOptions(sameName.spec, spec)) fail(ErrorCodes.IndexOptionsConflict, `An existing index has the same name as the requested index but different options.`);
      continue;
    }
    if (sameKey && sameOptions(sameKey.spec, spec)) {
      fail(ErrorCodes.IndexOptionsConflict, `Index already exists with a different name: ${sameKey.name}`);
    }
    fresh.push(spec);
  }
  return fresh;
}

function indexesReply(before: number, created: number, createdCollectionAutomatically: boolean): Doc {
  const reply: Doc = { numIndexesBefore: before, numIndexesAfter: before + created, createdCollectionAutomatically };
  if (created === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
}

/**
 * MongoDB's rules for creating collections and indexes in a transaction ("Create Collections and
 * Indexes in a Transaction"): only under read concern "local", never on a system collection.
 */
function checkCatalogChangeInTransaction(txn: Transaction, ns: string, what: string): void {
  if (txn.readConcernLevel !== 'local') {
    fail(ErrorCodes.InvalidOptions, `Cannot ${what} in a multi-document transaction with read concern level '${txn.readConcernLevel}': only read concern 'local' allows it`);
  }
  if (ns.slice(ns.indexOf('.') + 1).startsWith('system.')) {
    fail(ErrorCodes.OperationNotSupportedInTransaction, `Cannot ${what} on system collection ${ns} within a transaction.`);
  }
}

/**
 * createIndexes inside a transaction: allowed on a collection the transaction creates while it is
 * still empty (the index is built at commit); on an existing collection only when every index
 * already exists ("Create Collections and Indexes in a Transaction").
 */
function createIndexesInTransaction(ctx: CommandContext, txn: Transaction, name: string, requested: IndexSpec[]): Doc {
  const ns = `${ctx.db}.${name}`;
  checkCatalogChangeInTransaction(txn, ns, 'create indexes');
  const committed = ctx.engine.getCollection(ctx.db, name);
  if (committed) {
    const before = committed.indexes.size + 1;
    if (newIndexes(committed, requested).length > 0) {
      fail(ErrorCodes.OperationNotSupportedInTransaction, `Cannot create new indexes on existing collection ${ns} in a multi-document transaction.`);
    }
    return indexesReply(before, 0, false);
  }
  const createdNow = !txn.pendingCollections.has(ns);
  const shape = pendingCollection(txn, ctx.db, name);
  const before = shape.indexes.size + 1;
  const fresh = newIndexes(shape, requested);
  const written = [...(txn.overlay(ns)?.values() ?? [])].some((doc) => doc !== null);
  if (fresh.length > 0 && written) {
    fail(ErrorCodes.OperationNotSupportedInTransaction, `Cannot create new indexes on non-empty collection ${ns} in a multi-document transaction.`);
  }
  for (const spec of fresh) shape.addIndex(spec);
  return indexesReply(before, fresh.length, createdNow);
}

/** An open transaction, other than the command's own, with writes to an existing collection `inScope` selects. */
function writingTransaction(ctx: CommandContext, inScope: (ns: string) => boolean): Transaction | undefined {
  for (const txn of ctx.engine.openTxns) {
    if (txn === ctx.txn || txn.state !== 'active') continue;
    for (const [ns, overlay] of txn.writes) {
      if (overlay.size > 0 && !txn.pendingCollections.has(ns) && inScope(ns)) return txn;
    }
  }
  return undefined;
}

/**
 * Dropping, renaming or indexing a collection waits for the open transactions that wrote to it, as
 * MongoDB's exclusive collection lock waits for theirs (bounded by maxTimeMS, else by the
 * transaction lifetime limit). Done meanwhile, a drop would be undone by the commit and a new
 * unique index could make the commit fail half way.
 */
async function afterWritingTransactions(ctx: CommandContext, inScope: (ns: string) => boolean): Promise<void> {
  const maxTimeMS = optionalNumber(ctx.cmd.maxTimeMS);
  const deadline = maxTimeMS && maxTimeMS > 0 ? Date.now() + maxTimeMS : undefined;
  for (let txn = writingTransaction(ctx, inScope); txn; txn = writingTransaction(ctx, inScope)) {
    if (deadline === undefined) {
      await txn.finished;
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) fail(ErrorCodes.MaxTimeMSExpired, 'operation exceeded time limit');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([txn.finished, new Promise((resolve) => (timer = setTimeout(resolve, remaining)))]);
    clearTimeout(timer);
  }
}

/** Arguments every command takes (MongoDB's generic_argument.idl), beside its own fields. */
const GENERIC_ARGUMENTS = new Set([
  'apiVersion', 'apiStrict', 'apiDeprecationErrors', '$db', 'maxTimeMS', 'readConcern', 'writeConcern', 'lsid',
  'clientOperationKey', 'txnNumber', 'autocommit', 'startTransaction', 'stmtId', 'comment', '$readPreference',
  '$clusterTime', '$audit', '$client', '$configServerState', 'allowImplicitCollectionCreation', '$oplogQueryData',
  '$queryOptions', '$replData', 'databaseVersion', 'shardVersion', 'tracking_info', 'coordinator', 'maxTimeMSOpOnly',
  '$configTime', '$topologyTime', 'txnRetryCounter', 'mayBypassWriteBlocking', '$tenant', 'expectPrefix',
]);

/** The fields of `create` in MongoDB 7/8 (create.idl): the collection options it stores. */
const CREATE_FIELDS = new Set([
  'capped', 'autoIndexId', 'idIndex', 'size', 'max', 'storageEngine', 'validator', 'validationLevel', 'validationAction',
  'indexOptionDefaults', 'viewOn', 'pipeline', 'collation', 'recordPreImages', 'changeStreamPreAndPostImages', 'timeseries',
  'clusteredIndex', 'expireAfterSeconds', 'encryptedFields', 'temp', 'flags', 'recordIdsReplicated',
]);

/** The fields of `collMod` in MongoDB 7/8 (coll_mod.idl). */
const COLLMOD_FIELDS = new Set([
  'index', 'validator', 'validationLevel', 'validationAction', 'viewOn', 'pipeline', 'recordPreImages',
  'changeStreamPreAndPostImages', 'expireAfterSeconds', 'timeseries', 'isTimeseriesNamespace', 'dryRun', 'cappedSize',
  'cappedMax', 'timeseriesBucketsMayHaveMixedSchemaData',
]);

/** MongoDB's commands parse strictly: a field neither theirs nor generic is refused (IDL 40415). */
function refuseUnknownFields(cmd: Doc, command: string, fields: Set<string>): void {
  for (const k of Object.keys(cmd)) {
    if (k !== command && !fields.has(k) && !GENERIC_ARGUMENTS.has(k)) fail(ErrorCodes.Location40415, `BSON field '${command}.${k}' is an unknown field.`);
  }
}

export const catalogCommands: Record<string, Handler> = {
  create(ctx) {
    const cmd = ctx.cmd;
    refuseUnknownFields(cmd, 'create', CREATE_FIELDS);
    const name = collectionName(ctx);
    if (cmd.viewOn !== undefined) fail(ErrorCodes.NotImplemented, 'views are not supported by the embedded server');
    if (cmd.capped === true) fail(ErrorCodes.NotImplemented, 'capped collections are not supported by the embedded server');
    if (cmd.timeseries !== undefined) fail(ErrorCodes.NotImplemented, 'time-series collections are not supported by the embedded server');
    const collation = parseCollation(cmd.collation);
    checkValidator(cmd.validator);
    const clusteredIndex = cmd.clusteredIndex === undefined ? undefined : clusteredIndexSpec(cmd.clusteredIndex);
    if (cmd.expireAfterSeconds !== undefined) {
      if (!clusteredIndex) fail(ErrorCodes.InvalidOptions, "'expireAfterSeconds' is only supported on clustered collections (and time-series collections, which the embedded server does not support)");
      if (typeof cmd.expireAfterSeconds !== 'number' || cmd.expireAfterSeconds < 0) fail(ErrorCodes.InvalidOptions, "'expireAfterSeconds' must be a non-negative number");
    }
    const ns = `${ctx.db}.${name}`;
    if (ctx.txn) {
      checkCatalogChangeInTransaction(ctx.txn, ns, 'create a collection');
      // A collection created by someone else after the transaction's snapshot is not there for it:
      // its create succeeds and the commit fails with a write conflict (commitTransaction), as on MongoDB.
      const existing = ctx.engine.getCollection(ctx.db, name);
      if ((existing && existing.createdSeq <= ctx.txn.startSeq) || ctx.txn.pendingCollections.has(ns)) fail(ErrorCodes.NamespaceExists, `Collection ${ns} already exists.`);
    }
    const options: Doc = {};
    for (const [k, v] of Object.entries(cmd)) if (CREATE_FIELDS.has(k)) options[k] = v;
    if (collation) options.collation = collation.spec;
    else delete options.collation;
    if (clusteredIndex) options.clusteredIndex = clusteredIndex;
    // Inside a transaction the collection appears at commit, to others as to the catalog.
    if (ctx.txn) pendingCollection(ctx.txn, ctx.db, name, options);
    else ctx.engine.createCollection(ctx.db, name, options);
    return { ok: 1 };
  },

  collMod(ctx) {
    refuseUnknownFields(ctx.cmd, 'collMod', COLLMOD_FIELDS);
    if (ctx.cmd.viewOn !== undefined || ctx.cmd.pipeline !== undefined) fail(ErrorCodes.NotImplemented, 'views are not supported by the embedded server');
    if (ctx.cmd.timeseries !== undefined) fail(ErrorCodes.NotImplemented, 'time-series collections are not supported by the embedded server');
    if (ctx.cmd.cappedSize !== undefined || ctx.cmd.cappedMax !== undefined) fail(ErrorCodes.NotImplemented, 'capped collections are not supported by the embedded server');
    const coll = requireCollection(ctx, collectionName(ctx));
    checkValidator(ctx.cmd.validator);
    const options: Doc = { ...coll.options };
    for (const key of ['validator', 'validationLevel', 'validationAction']) {
      if (ctx.cmd[key] !== undefined) options[key] = ctx.cmd[key];
    }
    if (ctx.cmd.index !== undefined) fail(ErrorCodes.NotImplemented, 'collMod of an index is not supported by the embedded server');
    const expireAfterSeconds: unknown = ctx.cmd.expireAfterSeconds;
    if (expireAfterSeconds !== undefined) {
      // A clustered collection's TTL can be set, changed or turned "off"; other collections have none to change.
      if (!coll.options.clusteredIndex) fail(ErrorCodes.InvalidOptions, "'expireAfterSeconds' is only supported on clustered collections (and time-series collections, which the embedded server does not support)");
      if (expireAfterSeconds === 'off') delete options.expireAfterSeconds;
      else if (typeof expireAfterSeconds === 'number' && expireAfterSeconds >= 0) options.expireAfterSeconds = expireAfterSeconds;
      else fail(ErrorCodes.InvalidOptions, "'expireAfterSeconds' must be a non-negative number or 'off'");
    }
    // A dry run checks the request and changes nothing.
    if (ctx.cmd.dryRun !== true) ctx.engine.setCollectionOptions(coll, options);
    return { ok: 1 };
  },

  async drop(ctx) {
    const name = collectionName(ctx);
    await afterWritingTransactions(ctx, (ns) => ns === `${ctx.db}.${name}`);
    const coll = ctx.engine.getCollection(ctx.db, name);
    const nIndexesWas = coll ? coll.indexes.size + 1 : 0;
    // MongoDB 7 answers ok for a missing collection.
    ctx.engine.dropCollection(ctx.db, name);
    return coll ? { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 } : { ok: 1 };
  },

  async dropDatabase(ctx) {
    await afterWritingTransactions(ctx, (ns) => ns.startsWith(`${ctx.db}.`));
    ctx.engine.dropDatabase(ctx.db);
    return { dropped: ctx.db, ok: 1 };
  },

  async renameCollection(ctx) {
    const from = String(ctx.cmd.renameCollection);
    const to = String(ctx.cmd.to);
    await afterWritingTransactions(ctx, (ns) => ns === from || ns === to);
    const [fromDb, ...fromRest] = from.split('.');
    const [toDb, ...toRest] = to.split('.');
    if (fromRest.length === 0 || toRest.length === 0) fail(ErrorCodes.InvalidNamespace, 'Invalid namespace specified');
    ctx.engine.renameCollection(fromDb, fromRest.join('.'), toDb, toRest.join('.'), ctx.cmd.dropTarget === true);
    return { ok: 1 };
  },

  listDatabases(ctx) {
    const filter = ctx.cmd.filter ? createQuery(ctx.cmd.filter) : undefined;
    const databases = ctx.engine
      .databaseNames()
      .map((name) => {
        const sizeOnDisk = ctx.engine.collections(name).reduce((s, c) => s + c.docs.size * 64, 0);
        return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
      })
      .filter((d) => !filter || filter.test(d));
    if (ctx.cmd.nameOnly) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
    return { databases, totalSize: databases.reduce((s, d) => s + d.sizeOnDisk, 0), totalSizeMb: 0, ok: 1 };
  },

  listCollections(ctx) {
    const filter = ctx.cmd.filter && Object.keys(ctx.cmd.filter).length ? createQuery(ctx.cmd.filter) : undefined;
    const infos = ctx.engine
      .collections(ctx.db)
      .map((c) => ({
        name: c.name,
        type: 'collection',
        options: c.options,
        info: { readOnly: false, uuid: collectionUuid(c) },
        // A clustered collection has no separate _id index to describe (its index is in options.clusteredIndex).
        ...(c.options.clusteredIndex ? {} : { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }),
      }))
      .filter((info) => !filter || filter.test(info))
      .map((info) => (ctx.cmd.nameOnly ? { name: info.name, type: info.type } : info));
    return ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, ctx.cmd.cursor?.batchSize, cursorOwner(ctx));
  },

  async createIndexes(ctx) {
    const name = collectionName(ctx);
    const raw: unknown = ctx.cmd.indexes;
    if (!Array.isArray(raw) || raw.length === 0) fail(ErrorCodes.BadValue, 'Must specify at least one index to create');
    const requested = raw.map((r) => validateIndexSpec(r));
    if (ctx.txn) return createIndexesInTransaction(ctx, ctx.txn, name, requested);
    // Only a build waits; an index that exists already is answered at once, as on MongoDB.
    const current = ctx.engine.getCollection(ctx.db, name);
    if (current && newIndexes(current, requested).length > 0) await afterWritingTransactions(ctx, (ns) => ns === `${ctx.db}.${name}`);
    const existed = !!ctx.engine.getCollection(ctx.db, name);
    const coll = ctx.engine.ensureCollection(ctx.db, name);
    const before = coll.indexes.size + 1;
    const fresh = newIndexes(coll, requested);
    for (const spec of fresh) ctx.engine.createIndex(coll, spec);
    return indexesReply(before, fresh.length, !existed);
  },

  listIndexes(ctx) {
    const coll = requireCollection(ctx, collectionName(ctx));
    return ctx.cursors.open(`${ctx.db}.${coll.name}`, coll.indexSpecs(), ctx.cmd.cursor?.batchSize, cursorOwner(ctx));
  },

  dropIndexes(ctx) {
    const coll = requireCollection(ctx, collectionName(ctx));
    const nIndexesWas = coll.indexes.size + 1;
    const target = ctx.cmd.index;
    const names: string[] = [];
    if (target === '*') names.push(...coll.indexes.keys());
    else if (Array.isArray(target)) names.push(...target.map(String));
    else if (typeof target === 'string') names.push(target);
    else if (isPlainObject(target)) {
      const found = [...coll.indexes.values()].find((i) => canonicalKey(i.spec.key) === canonicalKey(target));
      if (!found) fail(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
      names.push(found.name);
    }
    for (const name of names) {
      if (name === coll.idIndexSpec().name) fail(ErrorCodes.InvalidOptions, 'cannot drop _id index');
      if (!coll.indexes.has(name)) fail(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
    }
    for (const name of names) ctx.engine.dropIndex(coll, name);
    return { nIndexesWas, ok: 1 };
  },

  dbStats(ctx) {
    const colls = ctx.engine.collections(ctx.db);
    const objects = colls.reduce((s, c) => s + c.docs.size, 0);
    const indexes = colls.reduce((s, c) => s + c.indexes.size + 1, 0);
    return { db: ctx.db, collections: colls.length, views: 0, objects, avgObjSize: 0, dataSize: 0, storageSize: 0, indexes, indexSize: 0, totalSize: 0, scaleFactor: 1, ok: 1 };
  },

  collStats(ctx) {
    const coll = requireCollection(ctx, collectionName(ctx));
    let size = 0;
    for (const doc of coll.docs.values()) size += calculateObjectSize(doc);
    const count = coll.docs.size;
    return {
      ns: coll.ns,
      count,
      size,
      avgObjSize: count ? Math.round(size / count) : 0,
      storageSize: size,
      nindexes: coll.indexes.size + 1,
      totalIndexSize: 0,
      indexSizes: Object.fromEntries(coll.indexSpecs().map((s) => [s.name, 0])),
      capped: coll.options.capped === true,
      ok: 1,
    };
  },
};
