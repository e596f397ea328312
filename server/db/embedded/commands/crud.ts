/** insert, find, update, delete, findAndModify, count, distinct. */
import { ObjectId } from 'bson';
import { canonicalKey, compareValues, idFirst, isPlainObject, type Doc } from '../bson-values.js';
import { asServerError, ErrorCodes, fail } from '../errors.js';
import { effectiveCollation, type Collation } from '../query/collation.js';
import { checkProjection, projectDocs, sortDocs } from '../query/shape.js';
import { sortDocsSliced } from '../query/sliced.js';
import { Slicer } from '../storage/slices.js';
import { applyUpdate, buildUpsert, checkDocumentSize, isOperatorUpdate, MAX_DOCUMENT_BYTES, validateUpdate } from '../query/update.js';
import { newScanStats, type CollectionAccess, type ScanStats } from '../storage/access.js';
import type { IndexSpec } from '../storage/index-structure.js';
import { pathValues } from '../storage/paths.js';
import { access, collectionName, optionalNumber, writeWhenUnlocked, type CommandContext, type Handler, type Targets } from './context.js';
import { cursorOwner } from './cursors.js';

/** The statement's collation, else the collection's default; undefined for simple (binary). */
function collationFor(acc: CollectionAccess, collation: unknown): Collation | undefined {
  return effectiveCollation(collation, acc.catalogEntry?.options.collation);
}

/**
 * The index a hint names (an unknown one is refused), or undefined for no hint or a forward
 * `$natural` scan. On MongoDB a hinted index is the plan: without a sort the documents come in its
 * key order, and a sparse index holds only documents with at least one of its fields, so a hinted
 * read finds no others (as MongoDB's manual warns for sparse indexes). `{$natural: -1}` is a
 * reverse collection scan, returned as the pseudo-index `{$natural: -1}` so it orders the same way.
 */
export function hintedIndex(acc: CollectionAccess, hint: unknown): IndexSpec | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (isPlainObject(hint) && '$natural' in hint) return Number(hint.$natural) === -1 ? { key: { $natural: -1 }, name: '$natural' } : undefined;
  const coll = acc.collection;
  if (!coll) return undefined;
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return undefined;
  const specs = coll.indexSpecs();
  const found =
    typeof hint === 'string'
      ? specs.find((s) => s.name === hint)
      : isPlainObject(hint) ? specs.find((s) => canonicalKey(s.key) === canonicalKey(hint)) : undefined;
  if (!found) fail(ErrorCodes.BadValue, 'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
  return found;
}

/** The filter and sort a read runs with once its hinted index is the plan (see hintedIndex). */
export function hintedRead(index: IndexSpec | undefined, filter: Doc | undefined, sort: Doc | undefined): { filter: Doc | undefined; sort: Doc | undefined } {
  if (!index) return { filter, sort };
  const fields = Object.keys(index.key);
  const ordered = fields.every((f) => Math.abs(Number(index.key[f])) === 1);
  const hasSort = sort !== undefined && Object.keys(sort).length > 0;
  return {
    filter: index.sparse ? { $and: [filter ?? {}, { $or: fields.map((f) => ({ [f]: { $exists: true } })) }] } : filter,
    sort: hasSort || !ordered ? sort : index.key,
  };
}

/**
 * A message of at most half the size limit cannot carry a document over it, even once decoded and given an
 * `_id` (a few bytes more), so its inserts need no size computation each.
 */
const SMALL_MESSAGE_BYTES = MAX_DOCUMENT_BYTES / 2;

function validateNewDoc(doc: unknown, withinSizeLimit = false): Doc {
  if (!isPlainObject(doc)) fail(ErrorCodes.TypeMismatch, 'document to insert must be an object');
  const id = doc._id;
  if (Array.isArray(id)) fail(ErrorCodes.BadValue, "can't use an array for _id");
  if (id instanceof RegExp) fail(ErrorCodes.BadValue, "can't use a regex for _id");
  if (isPlainObject(id) && Object.keys(id).some((k) => k.startsWith('$'))) fail(ErrorCodes.DollarPrefixedFieldName, "_id fields may not contain '$'-prefixed fields");
  if (!withinSizeLimit) checkDocumentSize(doc, true);
  return id === undefined ? { _id: new ObjectId(), ...doc } : idFirst(doc);
}

/** Write statements as mongod's IDL parser takes them: documents with their required fields (40414), else the command fails. */
function checkRequiredFields(field: string, statements: unknown, required: string[]): void {
  if (!Array.isArray(statements)) fail(ErrorCodes.TypeMismatch, `BSON field '${field}' is the wrong type, expected type 'array'`);
  for (const spec of statements) {
    if (!isPlainObject(spec)) fail(ErrorCodes.TypeMismatch, `BSON field '${field}' is the wrong type, expected type 'object'`);
    for (const name of required) if (!(name in spec)) fail(40414, `BSON field '${field}.${name}' is missing but a required field`);
  }
}

/**
 * The delete statements as mongod's command parser takes them, before any runs: `q` and `limit` are required and
 * `limit` is 0 (all matches) or 1 (one), else the whole command fails (a limit of 2 would otherwise delete all).
 */
function checkDeleteStatements(deletes: unknown): void {
  checkRequiredFields('delete.deletes', deletes, ['q', 'limit']);
  for (const spec of deletes as Doc[]) {
    const limit = optionalNumber(spec.limit);
    if (limit !== 0 && limit !== 1) fail(ErrorCodes.FailedToParse, `The limit field in delete objects must be 0 or 1. Got ${String(spec.limit)}`);
  }
}

/** Matching documents (with ids) in result order, honouring sort, skip and limit. */
export function selectDocs(
  acc: CollectionAccess,
  filter: Doc | undefined,
  opts: { sort?: Doc; skip?: number; limit?: number; stats?: ScanStats; variables?: Doc; collation?: Collation },
): Array<[string, Doc]> {
  const skip = opts.skip ?? 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0;
  if (opts.collation) return selectCollated(acc, filter, { ...opts, skip, limit });
  if (hasSort && limit !== Infinity && acc.canFindSorted(filter, opts.sort!)) {
    const out = [...acc.findSorted(filter, opts.sort!, skip + limit, opts.stats ?? newScanStats(), opts.variables)];
    return out.slice(skip, skip + limit);
  }
  const out: Array<[string, Doc]> = [];
  for (const entry of acc.find(filter, opts.stats, opts.variables)) {
    out.push(entry);
    // Without a sort the first skip+limit matches are the answer: stop scanning early.
    if (!hasSort && out.length >= skip + limit) break;
  }
  let ordered = out;
  if (hasSort) {
    const byDoc = new Map(out.map(([id, doc]) => [doc, id]));
    ordered = sortDocs(out.map(([, d]) => d), opts.sort).map((d) => [byDoc.get(d)!, d]);
  }
  return ordered.slice(skip, skip + limit);
}

/**
 * Under a non-simple collation the planner uses an index for string bounds only when the index has
 * the same collation (others still serve non-string bounds); matching and sorting use the collation.
 */
function selectCollated(
  acc: CollectionAccess,
  filter: Doc | undefined,
  opts: { sort?: Doc; skip: number; limit: number; stats?: ScanStats; variables?: Doc; collation?: Collation },
): Array<[string, Doc]> {
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0;
  if (hasSort && opts.limit !== Infinity && acc.canFindSorted(filter, opts.sort!, opts.collation)) {
    const found = [...acc.findSorted(filter, opts.sort!, opts.skip + opts.limit, opts.stats ?? newScanStats(), opts.variables, opts.collation)];
    return found.slice(opts.skip, opts.skip + opts.limit);
  }
  const out: Array<[string, Doc]> = [];
  for (const entry of acc.find(filter, opts.stats, opts.variables, opts.collation)) {
    out.push(entry);
    if (!hasSort && out.length >= opts.skip + opts.limit) break;
  }
  if (!hasSort) return out.slice(opts.skip, opts.skip + opts.limit);
  const byDoc = new Map(out.map(([id, doc]) => [doc, id]));
  return sortDocs(out.map(([, d]) => d), opts.sort, opts.collation)
    .slice(opts.skip, opts.skip + opts.limit)
    .map((d) => [byDoc.get(d)!, d]);
}

/**
 * selectDocs for reads that may run long (find, count, aggregate input): the same answer, but the
 * scan and the sort pause every few milliseconds so other connections' commands run in between.
 * Inside a transaction it runs in one go (the snapshot and overlay are read as of one moment).
 */
export async function selectDocsSliced(
  acc: CollectionAccess,
  filter: Doc | undefined,
  opts: { sort?: Doc; skip?: number; limit?: number; stats?: ScanStats; variables?: Doc; collation?: Collation },
): Promise<Array<[string, Doc]>> {
  const skip = opts.skip ?? 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0;
  if (acc.txn || opts.collation || (hasSort && limit !== Infinity && acc.canFindSorted(filter, opts.sort!))) return selectDocs(acc, filter, opts);
  const slicer = new Slicer();
  const out: Array<[string, Doc]> = [];
  for (const entry of acc.find(filter, opts.stats, opts.variables)) {
    out.push(entry);
    if (!hasSort && out.length >= skip + limit) break;
    const pause = slicer.tick();
    if (pause) await pause;
  }
  let ordered = out;
  if (hasSort) {
    const byDoc = new Map(out.map(([id, doc]) => [doc, id]));
    ordered = (await sortDocsSliced(out.map(([, d]) => d), opts.sort, slicer)).map((d) => [byDoc.get(d)!, d]);
  }
  return ordered.slice(skip, skip + limit);
}

/**
 * A failed statement becomes a `writeErrors` entry, except errors carrying labels (WriteConflict in
 * a transaction) and timeouts: MongoDB fails the whole command with those.
 */
function writeErrorEntry(err: unknown, index: number): Doc {
  const error = asServerError(err);
  if (error.errorLabels.length > 0 || error.code === ErrorCodes.MaxTimeMSExpired) throw error;
  return error.toWriteError(index);
}

export async function findReply(ctx: CommandContext, stats: ScanStats = newScanStats()): Promise<{ docs: Doc[]; stats: ScanStats }> {
  const cmd = ctx.cmd;
  const name = collectionName(ctx);
  if (cmd.filter !== undefined && !isPlainObject(cmd.filter)) fail(ErrorCodes.TypeMismatch, "BSON field 'FindCommandRequest.filter' is the wrong type, expected type 'object'");
  checkProjection(cmd.projection);
  const acc = access(ctx, name);
  const collation = collationFor(acc, cmd.collation);
  const hinted = hintedRead(hintedIndex(acc, cmd.hint), cmd.filter, cmd.sort);
  if (cmd.skip !== undefined && optionalNumber(cmd.skip)! < 0) fail(ErrorCodes.BadValue, 'skip value must be non-negative');
  // The find command (unlike legacy OP_QUERY's ntoreturn) takes no negative limit or batch size.
  for (const [field, label] of [['limit', 'Limit'], ['batchSize', 'BatchSize']] as const) {
    const value = optionalNumber(cmd[field]);
    if (value !== undefined && value < 0) fail(ErrorCodes.BadValue, `${label} value must be non-negative, but received: ${value}`);
  }
  const limit = optionalNumber(cmd.limit);
  const bounds = indexBounds(cmd, hintedIndex(acc, cmd.hint));
  const keyIndex = cmd.returnKey === true ? returnKeyIndex(acc, cmd) : undefined;
  // mongod adds each document's record id as `$recordId`; there are none here (with returnKey it is not added).
  if (cmd.showRecordId === true && !keyIndex) fail(ErrorCodes.NotImplemented, 'showRecordId is not supported by the embedded server');
  const skip = optionalNumber(cmd.skip);
  // min/max cut the index's key range before skip and limit apply.
  let selected = await selectDocsSliced(acc, hinted.filter, {
    sort: hinted.sort,
    skip: bounds ? undefined : skip,
    limit: bounds || limit === undefined ? undefined : Math.abs(limit),
    stats,
    variables: cmd.let,
    collation,
  });
  if (bounds) {
    selected = selected.filter(([, d]) => bounds(d));
    selected = selected.slice(skip ?? 0, limit ? (skip ?? 0) + Math.abs(limit) : undefined);
  }
  if (keyIndex) return { docs: selected.map(([, d]) => indexKeyOf(d, keyIndex)), stats };
  const docs = projectDocs(
    selected.map(([, d]) => d),
    cmd.projection,
    cmd.filter,
  );
  return { docs, stats };
}

/** The value at a dotted path through sub-documents (an index key's field; arrays are not walked). */
function fieldValue(doc: Doc, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) v = isPlainObject(v) ? v[part] : undefined;
  return v;
}

/** `returnKey`: the document's key in the index, `{field: value}` per key field, as mongod returns it. */
function indexKeyOf(doc: Doc, index: IndexSpec): Doc {
  const out: Doc = {};
  for (const field of Object.keys(index.key)) out[field] = fieldValue(doc, field) ?? null;
  return out;
}

/**
 * The index whose keys `returnKey` returns: the hinted one, or one whose key pattern is the sort (either
 * direction). Which index mongod's planner would pick otherwise is not known here, so that is refused.
 */
function returnKeyIndex(acc: CollectionAccess, cmd: Doc): IndexSpec {
  const hinted = hintedIndex(acc, cmd.hint);
  if (hinted && hinted.name !== '$natural') return hinted;
  const sort = isPlainObject(cmd.sort) ? Object.entries(cmd.sort) : [];
  const specs = acc.collection?.indexSpecs() ?? [];
  const matches = (spec: IndexSpec, sign: number) => {
    const key = Object.entries(spec.key);
    return key.length === sort.length && key.every(([f, d], i) => sort[i][0] === f && Math.sign(Number(d)) * sign === Math.sign(Number(sort[i][1])));
  };
  const bySort = sort.length ? specs.find((spec) => matches(spec, 1) || matches(spec, -1)) : undefined;
  if (bySort) return bySort;
  return fail(ErrorCodes.NotImplemented, 'returnKey without a hint or a sort on an index is not supported by the embedded server');
}

/**
 * `min`/`max`: an inclusive lower and exclusive upper bound on the hinted index's keys, compared field by field in
 * the index's order (mongod requires the hint, 51173, and bounds naming the index's fields in order, 51176).
 */
function indexBounds(cmd: Doc, index: IndexSpec | undefined): ((doc: Doc) => boolean) | undefined {
  if (cmd.min === undefined && cmd.max === undefined) return undefined;
  if (!index || index.name === '$natural') fail(51173, 'When using min()/max() a hint of which index to use must be provided');
  const fields = Object.entries(index.key).map(([f, d]) => [f, Number(d) < 0 ? -1 : 1] as const);
  const check = (bound: unknown, name: string): Doc | undefined => {
    if (bound === undefined) return undefined;
    if (!isPlainObject(bound) || Object.keys(bound).join('\0') !== fields.map(([f]) => f).join('\0')) {
      fail(51176, `The '${name}' bound must name the fields of the hinted index's key pattern, in order`);
    }
    return bound;
  };
  const min = check(cmd.min, 'min');
  const max = check(cmd.max, 'max');
  const compare = (doc: Doc, bound: Doc) => {
    for (const [f, dir] of fields) {
      const c = compareValues(fieldValue(doc, f) ?? null, bound[f]) * dir;
      if (c !== 0) return c;
    }
    return 0;
  };
  return (doc) => (!min || compare(doc, min) >= 0) && (!max || compare(doc, max) < 0);
}

export const crudCommands: Record<string, Handler> = {
  async insert(ctx) {
    const acc = access(ctx, collectionName(ctx));
    const docs: unknown[] = ctx.cmd.documents ?? [];
    const ordered = ctx.cmd.ordered !== false;
    const withinSizeLimit = ctx.messageBytes !== undefined && ctx.messageBytes <= SMALL_MESSAGE_BYTES;
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        const doc = validateNewDoc(docs[i], withinSizeLimit);
        const targets: Targets = [[canonicalKey(doc._id), doc]];
        const done = writeWhenUnlocked(acc, () => ({ plan: doc, targets }), (d) => acc.insert(d));
        if (done) await done;
        n++;
      } catch (err) {
        writeErrors.push(writeErrorEntry(err, i));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  },

  async find(ctx) {
    const { docs } = await findReply(ctx);
    const limit = optionalNumber(ctx.cmd.limit);
    const singleBatch = ctx.cmd.singleBatch === true || (limit !== undefined && limit < 0);
    const batchSize = optionalNumber(ctx.cmd.batchSize);
    return ctx.cursors.open(`${ctx.db}.${collectionName(ctx)}`, docs, singleBatch && batchSize === undefined ? docs.length || 1 : batchSize, cursorOwner(ctx), singleBatch);
  },

  async update(ctx) {
    const acc = access(ctx, collectionName(ctx));
    const updates: Doc[] = ctx.cmd.updates ?? [];
    const ordered = ctx.cmd.ordered !== false;
    let n = 0;
    let nModified = 0;
    const upserted: Doc[] = [];
    const writeErrors: Doc[] = [];
    // MongoDB 7 has no sort for update statements (8.0 added it): the command fails as a whole.
    if (updates.some((spec) => spec.sort !== undefined)) fail(40415, "BSON field 'update.updates.sort' is an unknown field.");
    checkRequiredFields('update.updates', updates, ['q', 'u']);
    for (let i = 0; i < updates.length; i++) {
      const spec = updates[i];
      try {
        const filter: Doc = spec.q ?? {};
        const u = spec.u;
        validateUpdate(u);
        const collation = collationFor(acc, spec.collation);
        const hinted = hintedRead(hintedIndex(acc, spec.hint), filter, undefined);
        if (spec.multi && !Array.isArray(u) && !isOperatorUpdate(u)) {
          fail(ErrorCodes.FailedToParse, 'multi update is not supported for replacement-style update');
        }
        const opts = { arrayFilters: spec.arrayFilters, filter, variables: ctx.cmd.let };
        const compute = () => {
          const matched = selectDocs(acc, hinted.filter, { sort: hinted.sort, limit: spec.multi ? undefined : 1, variables: ctx.cmd.let, collation });
          if (matched.length === 0 && spec.upsert) {
            const doc = validateNewDoc(buildUpsert(filter, u, opts));
            return { plan: { upsert: doc, changes: [] as Targets, matched: 0 }, targets: [[canonicalKey(doc._id), doc]] as Targets };
          }
          const changes: Targets = [];
          for (const [id, doc] of matched) {
            const next = applyUpdate(doc, u, opts);
            if (next !== doc) changes.push([id, next]);
          }
          return { plan: { upsert: undefined, changes, matched: matched.length }, targets: changes };
        };
        const apply = (plan: ReturnType<typeof compute>['plan']) => {
          if (plan.upsert) {
            acc.insert(plan.upsert);
            n++;
            upserted.push({ index: i, _id: plan.upsert._id });
            return;
          }
          n += plan.matched;
          for (const [id, next] of plan.changes) {
            acc.replace(id, next!);
            nModified++;
          }
        };
        const done = writeWhenUnlocked(acc, compute, apply);
        if (done) await done;
      } catch (err) {
        writeErrors.push(writeErrorEntry(err, i));
        if (ordered) break;
      }
    }
    const reply: Doc = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    if (writeErrors.length) reply.writeErrors = writeErrors;
    reply.ok = 1;
    return reply;
  },

  async delete(ctx) {
    const acc = access(ctx, collectionName(ctx));
    const deletes: Doc[] = ctx.cmd.deletes ?? [];
    checkDeleteStatements(deletes);
    const ordered = ctx.cmd.ordered !== false;
    let n = 0;
    const writeErrors: Doc[] = [];
    for (let i = 0; i < deletes.length; i++) {
      const spec = deletes[i];
      try {
        const collation = collationFor(acc, spec.collation);
        const hinted = hintedRead(hintedIndex(acc, spec.hint), spec.q ?? {}, undefined);
        const limit = optionalNumber(spec.limit) ?? 0;
        const compute = () => {
          const ids = selectDocs(acc, hinted.filter, { sort: hinted.sort, limit: limit === 1 ? 1 : undefined, variables: ctx.cmd.let, collation }).map(([id]) => id);
          return { plan: ids, targets: ids.map((id): [string, null] => [id, null]) };
        };
        const done = writeWhenUnlocked(acc, compute, (ids) => {
          for (const id of ids) acc.remove(id);
          n += ids.length;
        });
        if (done) await done;
      } catch (err) {
        writeErrors.push(writeErrorEntry(err, i));
        if (ordered) break;
      }
    }
    return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  },

  async findAndModify(ctx) {
    const cmd = ctx.cmd;
    const acc = access(ctx, collectionName(ctx));
    const filter: Doc = cmd.query ?? {};
    const collation = collationFor(acc, cmd.collation);
    const hinted = hintedRead(hintedIndex(acc, cmd.hint), filter, cmd.sort);
    if (cmd.remove && cmd.update !== undefined) fail(ErrorCodes.FailedToParse, 'Cannot specify both an update and remove=true');
    if (!cmd.remove && cmd.update === undefined) fail(ErrorCodes.FailedToParse, 'Either an update or remove=true must be specified');
    if (cmd.remove && cmd.new) fail(ErrorCodes.FailedToParse, "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
    const u = cmd.remove ? undefined : cmd.update;
    if (!cmd.remove) validateUpdate(u);
    checkProjection(cmd.fields);
    const opts = { arrayFilters: cmd.arrayFilters, filter, variables: cmd.let };
    const project = (doc: Doc | null) => (doc ? projectDocs([doc], cmd.fields, filter)[0] : null);

    const compute = () => {
      const [found] = selectDocs(acc, hinted.filter, { sort: hinted.sort, limit: 1, variables: cmd.let, collation });
      if (!found) {
        const upsert = !cmd.remove && cmd.upsert ? validateNewDoc(buildUpsert(filter, u!, opts)) : undefined;
        return { plan: { found, upsert, next: undefined }, targets: upsert ? ([[canonicalKey(upsert._id), upsert]] as Targets) : [] };
      }
      const [id, doc] = found;
      if (cmd.remove) return { plan: { found, upsert: undefined, next: undefined }, targets: [[id, null]] as Targets };
      const next = applyUpdate(doc, u!, opts);
      return { plan: { found, upsert: undefined, next }, targets: [[id, next]] as Targets };
    };
    const apply = ({ found, upsert, next }: ReturnType<typeof compute>['plan']): Doc => {
      if (!found) {
        if (!upsert) return { lastErrorObject: cmd.remove ? { n: 0 } : { n: 0, updatedExisting: false }, value: null, ok: 1 };
        acc.insert(upsert);
        return { lastErrorObject: { n: 1, updatedExisting: false, upserted: upsert._id }, value: cmd.new ? project(upsert) : null, ok: 1 };
      }
      const [id, doc] = found;
      if (cmd.remove) {
        acc.remove(id);
        return { lastErrorObject: { n: 1 }, value: project(doc), ok: 1 };
      }
      if (next !== doc) acc.replace(id, next!);
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(cmd.new ? next! : doc), ok: 1 };
    };
    return writeWhenUnlocked(acc, compute, apply);
  },

  async count(ctx) {
    const cmd = ctx.cmd;
    const acc = access(ctx, collectionName(ctx));
    const collation = collationFor(acc, cmd.collation);
    const index = hintedIndex(acc, cmd.hint);
    const skip = optionalNumber(cmd.skip) ?? 0;
    const limit = Math.abs(optionalNumber(cmd.limit) ?? 0);
    const query = hintedRead(index, cmd.query ?? {}, undefined).filter!;
    let n: number;
    if (Object.keys(query).length === 0) n = acc.count();
    else n = (await selectDocsSliced(acc, query, { collation })).length;
    n = Math.max(0, n - skip);
    if (limit > 0) n = Math.min(n, limit);
    return { n, ok: 1 };
  },

  distinct(ctx) {
    const cmd = ctx.cmd;
    const acc = access(ctx, collectionName(ctx));
    const collation = collationFor(acc, cmd.collation);
    if (typeof cmd.key !== 'string') fail(ErrorCodes.TypeMismatch, "BSON field 'distinct.key' is missing or not a string");
    const seen = new Map<string, unknown>();
    const keyOf = collation ? collation.key : (v: unknown) => canonicalKey(v);
    for (const [, doc] of selectDocs(acc, cmd.query ?? {}, { collation })) {
      for (const v of pathValues(doc, cmd.key)) {
        if (v === undefined) continue;
        const k = keyOf(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    return { values: [...seen.values()], ok: 1 };
  },
};

