/** Databases, collections and indexes: create, drop, rename, list, index management, stats. */
import { calculateObjectSize } from 'bson';
import { createQuery } from '../query/mingo-context.js';
import { canonicalKey, isPlainObject, type Doc } from '../bson-values.js';
import { ErrorCodes, fail } from '../errors.js';
import { effectiveCollation, parseCollation } from '../query/collation.js';
import type { IndexSpec } from '../storage/index-structure.js';
import { collectionName, type CommandContext, type Handler } from './context.js';

const UNSUPPORTED_INDEX_TYPES = new Set(['text', '2d', '2dsphere', 'geoHaystack']);

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

function validateIndexSpec(raw: Doc): IndexSpec {
  if (!isPlainObject(raw.key) || Object.keys(raw.key).length === 0) fail(ErrorCodes.BadValue, 'Index keys cannot be empty.');
  for (const [field, dir] of Object.entries(raw.key)) {
    if (typeof dir === 'string' && UNSUPPORTED_INDEX_TYPES.has(dir)) {
      fail(ErrorCodes.NotImplemented, `${dir} indexes are not supported by the embedded server`);
    }
    if (field.includes('$**')) fail(ErrorCodes.NotImplemented, 'wildcard indexes are not supported by the embedded server');
  }
  if (raw.collation !== undefined) parseCollation(raw.collation);
  const name = typeof raw.name === 'string' ? raw.name : defaultIndexName(raw.key);
  return { v: 2, ...raw, key: raw.key, name };
}

/** Options that must match for an existing index to count as "the same index". */
function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  const pick = (s: IndexSpec) => canonicalKey([!!s.unique, !!s.sparse, s.partialFilterExpression ?? null, s.expireAfterSeconds ?? null, s.collation ?? null]);
  return pick(a) === pick(b);
}

export const catalogCommands: Record<string, Handler> = {
  create(ctx) {
    const cmd = ctx.cmd;
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
    if (ctx.txn && (ctx.engine.getCollection(ctx.db, name) || ctx.txn.pendingCollections.has(ns))) fail(ErrorCodes.NamespaceExists, `Collection ${ns} already exists.`);
    const options: Doc = {};
    for (const [k, v] of Object.entries(cmd)) {
      if (k === 'create' || k.startsWith('$') || ['lsid', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern', 'comment'].includes(k)) continue;
      options[k] = v;
    }
    if (collation) options.collation = collation.spec;
    else delete options.collation;
    if (clusteredIndex) options.clusteredIndex = clusteredIndex;
    // Inside a transaction the collection appears at commit, to others as to the catalog.
    if (ctx.txn) ctx.txn.pendingCollections.set(ns, { db: ctx.db, name, options });
    else ctx.engine.createCollection(ctx.db, name, options);
    return { ok: 1 };
  },

  collMod(ctx) {
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
    ctx.engine.setCollectionOptions(coll, options);
    return { ok: 1 };
  },

  drop(ctx) {
    const name = collectionName(ctx);
    const coll = ctx.engine.getCollection(ctx.db, name);
    const nIndexesWas = coll ? coll.indexes.size + 1 : 0;
    // MongoDB 7 answers ok for a missing collection.
    ctx.engine.dropCollection(ctx.db, name);
    return coll ? { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 } : { ok: 1 };
  },

  dropDatabase(ctx) {
    ctx.engine.dropDatabase(ctx.db);
    return { dropped: ctx.db, ok: 1 };
  },

  renameCollection(ctx) {
    const from = String(ctx.cmd.renameCollection);
    const to = String(ctx.cmd.to);
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
        info: { readOnly: false },
        // A clustered collection has no separate _id index to describe (its index is in options.clusteredIndex).
        ...(c.options.clusteredIndex ? {} : { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }),
      }))
      .filter((info) => !filter || filter.test(info))
      .map((info) => (ctx.cmd.nameOnly ? { name: info.name, type: info.type } : info));
    return ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, ctx.cmd.cursor?.batchSize, ctx.sessionKey);
  },

  createIndexes(ctx) {
    const name = collectionName(ctx);
    const raw: unknown = ctx.cmd.indexes;
    if (!Array.isArray(raw) || raw.length === 0) fail(ErrorCodes.BadValue, 'Must specify at least one index to create');
    const collectionDefault = ctx.engine.getCollection(ctx.db, name)?.options.collation;
    const specs = raw.map((r) => withCollation(validateIndexSpec(r), collectionDefault));
    if (ctx.txn) {
      // Inside a transaction the index appears at commit (the collection must be new, as in MongoDB).
      const existing = ctx.engine.getCollection(ctx.db, name);
      if (existing && existing.docs.size > 0) fail(ErrorCodes.OperationNotSupportedInTransaction, 'Cannot create an index on an existing non-empty collection inside a transaction');
      for (const spec of specs) ctx.txn.pendingIndexes.push({ db: ctx.db, coll: name, spec });
      return { numIndexesBefore: 1, numIndexesAfter: 1 + specs.length, createdCollectionAutomatically: !existing, ok: 1 };
    }
    const existed = !!ctx.engine.getCollection(ctx.db, name);
    const coll = ctx.engine.ensureCollection(ctx.db, name);
    const before = coll.indexes.size + 1;
    let created = 0;
    for (const spec of specs) {
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
      ctx.engine.createIndex(coll, spec);
      created++;
    }
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: before + created, createdCollectionAutomatically: !existed };
    if (created === 0) reply.note = 'all indexes already exist';
    reply.ok = 1;
    return reply;
  },

  listIndexes(ctx) {
    const coll = requireCollection(ctx, collectionName(ctx));
    return ctx.cursors.open(`${ctx.db}.${coll.name}`, coll.indexSpecs(), ctx.cmd.cursor?.batchSize, ctx.sessionKey);
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
