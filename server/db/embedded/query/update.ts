/**
 * Applying update documents (operators, replacements, pipelines) and building upserted documents.
 * The operators themselves are mingo's; this module adds MongoDB's checks around them: immutable
 * `_id`, conflicting paths, `$setOnInsert`, unknown modifiers.
 */
import { update as mingoUpdate } from 'mingo';
import { BSONRegExp, calculateObjectSize, DBRef, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import { createAggregator } from './mingo-context.js';
import { compileFilter } from './match.js';
import { fastUpdate } from './fast-update.js';
import { orderCreatedFields } from './field-order.js';
import { canonicalKey, cloneDoc, compareValues, hasNumberWrappers, idFirst, isPlainObject, plainNumbers, setOwn, toNumber, valuesEqual, type Doc, isInt64 } from '../bson-values.js';
import { sortDocs } from './shape.js';
import { arithmetic, numberKind, storedNumber, zeroLike } from './numbers.js';
import { ErrorCodes, MongoServerError, fail, mingoErrorCode } from '../errors.js';
import { beginAggregation, markWrappers } from './arithmetic.js';

const MODIFIERS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$pull', '$pullAll',
  '$addToSet', '$pop', '$bit', '$currentDate', '$setOnInsert',
]);
const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

export type UpdateSpec = Doc | Doc[];

export function isOperatorUpdate(u: UpdateSpec): boolean {
  return !Array.isArray(u) && Object.keys(u).length > 0 && Object.keys(u)[0].startsWith('$');
}

export function validateUpdate(u: unknown): asserts u is UpdateSpec {
  if (Array.isArray(u)) {
    for (const stage of u) {
      const op = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!op || !PIPELINE_STAGES.has(op)) fail(ErrorCodes.InvalidOptions, `${String(op)} is not allowed to be used within an update`);
    }
    return;
  }
  if (!isPlainObject(u)) fail(ErrorCodes.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0].startsWith('$')) {
    for (const k of keys) {
      if (k.startsWith('$')) fail(ErrorCodes.DollarPrefixedFieldName, `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`);
    }
    return;
  }
  const seen: string[] = [];
  for (const op of keys) {
    if (!op.startsWith('$') || !MODIFIERS.has(op)) fail(ErrorCodes.FailedToParse, `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    const arg = u[op];
    if (!isPlainObject(arg)) fail(ErrorCodes.FailedToParse, `Modifiers operate on fields but we found type ${typeof arg} instead.`);
    if (op === '$rename') checkRename(arg);
    const paths = op === '$rename' ? [...Object.keys(arg), ...Object.values(arg).map(String)] : Object.keys(arg);
    for (const p of paths) {
      if (p.split('.').some((part) => part === '')) fail(ErrorCodes.EmptyFieldName, `The update path '${p}' contains an empty field name, which is not allowed.`);
      // Only a true prefix conflicts: positional parts ($, $[], $[id]) are path components like any
      // other, so `a.$.x` and `a.$.y` (Mongoose's subdocument timestamps) update different fields.
      const clash = seen.find((s) => s === p || s.startsWith(p + '.') || p.startsWith(s + '.'));
      if (clash) fail(ErrorCodes.ConflictingUpdateOperators, `Updating the path '${p}' would create a conflict at '${clash}'`);
      seen.push(p);
    }
  }
}

/** MongoDB's refusals of a `$rename` argument (BadValue), before any path conflict is looked for. */
function checkRename(arg: Doc): void {
  for (const [from, to] of Object.entries(arg)) {
    if (typeof to !== 'string') fail(ErrorCodes.BadValue, `The 'to' field for $rename must be a string: ${from}: ${JSON.stringify(to)}`);
    if (from.split('.').some((p) => p.startsWith('$'))) fail(ErrorCodes.BadValue, `The source field for $rename may not be dynamic: ${from}`);
    if (to.split('.').some((p) => p.startsWith('$'))) fail(ErrorCodes.BadValue, `The destination field for $rename may not be dynamic: ${to}`);
    if (from === to) fail(ErrorCodes.BadValue, `The source and target field for $rename must differ: ${from}: "${to}"`);
    if (from.startsWith(to + '.') || to.startsWith(from + '.')) fail(ErrorCodes.BadValue, `The source and target field for $rename must not be on the same path: ${from}: "${to}"`);
  }
}

/** Operators that create the path they name (so a path through a scalar or an array cannot be). */
/** The most nulls mongod pads an array with to reach an index a path names (its kMaxPaddingAllowed). */
const MAX_ARRAY_PADDING = 1_500_000;
const CREATING = new Set(['$set', '$setOnInsert', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate', '$bit']);
const NUMERIC_ONLY = new Set(['$inc', '$mul']);
const ARRAY_ONLY = new Set(['$push', '$addToSet', '$pull', '$pullAll', '$pop']);

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || isInt64(v) || v instanceof Decimal128 || v instanceof Int32 || v instanceof Double;
}

function bsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'date';
  if (v instanceof ObjectId) return 'objectId';
  return isPlainObject(v) ? 'object' : typeof v;
}

/**
 * MongoDB's refusals that mingo would turn into a silent no-op: a path that runs through a scalar
 * or through an array by field name (28 PathNotViable), `$push`/`$addToSet`/`$pull` on a
 * non-array (2 BadValue), `$inc`/`$mul` on a non-number (14 TypeMismatch), an index that would pad
 * an array with more than 1,500,000 nulls (34 CannotBackfillArray; building such an array would hold
 * the server for seconds or exhaust its memory). Paths with positional parts are checked up to the
 * first positional part.
 */
function checkPaths(doc: Doc, mod: Doc): void {
  const idText = () => `{_id: ${JSON.stringify(doc._id)}}`;
  if (isPlainObject(mod.$rename)) {
    for (const [from, to] of Object.entries(mod.$rename)) {
      if (throughArray(doc, from)) fail(ErrorCodes.BadValue, `The source field cannot be an array element, '${from}' in doc with ${idText()} has an array field called '${throughArray(doc, from)}'`);
      if (throughArray(doc, String(to))) fail(ErrorCodes.BadValue, `The destination field cannot be an array element, '${String(to)}' in doc with ${idText()} has an array field called '${throughArray(doc, String(to))}'`);
    }
  }
  for (const [op, arg] of Object.entries(mod)) {
    if (!isPlainObject(arg)) continue;
    for (const path of Object.keys(arg)) {
      const parts = path.split('.');
      let cur: unknown = doc;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part.startsWith('$')) break;
        let next: unknown;
        if (Array.isArray(cur)) {
          if (!/^\d+$/.test(part)) {
            if (!CREATING.has(op)) break;
            fail(ErrorCodes.PathNotViable, `Cannot create field '${part}' in element {${parts[i - 1]}: ${bsonTypeName(cur)}}`);
          }
          if (CREATING.has(op) && Number(part) - cur.length > MAX_ARRAY_PADDING) {
            fail(ErrorCodes.CannotBackfillArray, `can't backfill more than ${MAX_ARRAY_PADDING} elements`);
          }
          next = cur[Number(part)];
        } else if (cur !== null && typeof cur === 'object' && !(cur instanceof Date) && !isNumeric(cur)) {
          next = Object.prototype.hasOwnProperty.call(cur, part) ? (cur as Doc)[part] : undefined;
        } else {
          if (!CREATING.has(op)) break;
          fail(ErrorCodes.PathNotViable, `Cannot create field '${part}' in element {${parts[i - 1]}: ${JSON.stringify(cur)}}`);
        }
        if (next === undefined) break;
        if (i === parts.length - 1) {
          if (NUMERIC_ONLY.has(op) && !isNumeric(next)) {
            fail(ErrorCodes.TypeMismatch, `Cannot apply ${op} to a value of non-numeric type. ${idText()} has the field '${part}' of non-numeric type ${bsonTypeName(next)}`);
          }
          if (ARRAY_ONLY.has(op) && !Array.isArray(next)) {
            if (op === '$pull' || op === '$pullAll') fail(ErrorCodes.BadValue, 'Cannot apply $pull to a non-array value');
            if (op === '$pop') fail(ErrorCodes.TypeMismatch, `Path '${path}' contains an element of non-array type '${bsonTypeName(next)}'`);
            fail(ErrorCodes.BadValue, `The field '${path}' must be an array but is of type ${bsonTypeName(next)} in document ${idText()}`);
          }
        }
        cur = next;
      }
    }
  }
}

/** The first array that a dotted path passes through before its last part (undefined when none). */
function throughArray(doc: Doc, path: string): string | undefined {
  const parts = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[parts[i]];
    if (Array.isArray(cur)) return parts.slice(0, i + 1).join('.');
  }
  return undefined;
}

/** MongoDB's document size limit. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Refuses a document over 16 MiB as MongoDB does: an insert with BadValue, an update's result with 17419. */
export function checkDocumentSize(doc: Doc, inserting: boolean): void {
  const size = calculateObjectSize(doc);
  if (size <= MAX_DOCUMENT_BYTES) return;
  if (inserting) fail(ErrorCodes.BadValue, `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_BYTES}`);
  fail(ErrorCodes.Location17419, `Resulting document after update is larger than ${MAX_DOCUMENT_BYTES}`);
}

/**
 * The document after the update, or the same object when nothing changed (values compared as MongoDB does, so
 * `$set` of 1.0 over 1 changes nothing). `filter` serves the
 * positional `$` operator; `inserting` turns `$setOnInsert` on.
 */
export function applyUpdate(doc: Doc, u: UpdateSpec, opts: { arrayFilters?: Doc[]; filter?: Doc; inserting?: boolean; variables?: Doc }): Doc {
  let next: Doc;
  if (Array.isArray(u)) {
    next = runPipeline(doc, u, opts.variables);
  } else if (isOperatorUpdate(u)) {
    const mod: Doc = { ...(u as Doc) };
    if (mod.$setOnInsert) {
      if (opts.inserting) mod.$set = { ...(mod.$set ?? {}), ...mod.$setOnInsert };
      delete mod.$setOnInsert;
    }
    // An upsert's document is the seed from the filter updated the same way, so it takes the fast path too.
    if (!opts.arrayFilters && !(isPlainObject(mod.$set) && '_id' in mod.$set)) {
      const fast = fastUpdate(doc, mod);
      if (fast) {
        if (fast !== doc) checkDocumentSize(fast, false);
        return fast;
      }
    }
    next = cloneDoc(doc);
    const dbRefFields = namesDbRefField(mod);
    if (dbRefFields) next = dbRefsAsDocuments(next) as Doc;
    // mingo refuses any $set of _id; MongoDB allows setting it to its current value (and, on upsert, to any).
    if (isPlainObject(mod.$set) && '_id' in mod.$set) {
      const { _id: id, ...rest } = mod.$set;
      if (opts.inserting) next = idFirst({ ...next, _id: cloneDoc(id) });
      else if (!valuesEqual(id, doc._id)) fail(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
      if (Object.keys(rest).length > 0) mod.$set = rest;
      else delete mod.$set;
    }
    if (Object.keys(mod).length > 0) {
      // Positional parts ($, $[], $[<id>]) become the indexes they stand for in this document, so
      // several of them in one update are concrete, independent paths (as MongoDB applies them).
      // An inserted document matched no query, so a `$` has no element to stand for.
      if (opts.inserting && Object.values(mod).some((arg) => isPlainObject(arg) && Object.keys(arg).some((p) => p.split('.').includes('$')))) {
        fail(ErrorCodes.BadValue, 'The positional operator did not find the match needed from the query.');
      }
      const concrete = opts.inserting ? mod : resolvePositional(next, mod, opts.filter ?? {}, opts.arrayFilters);
      const dollarFields = takeDollarFields(concrete, opts.inserting === true);
      checkPaths(next, concrete);
      const written = writtenPaths(concrete);
      currentDatesAsSet(concrete);
      const pulled = applyPull(next, concrete);
      const computed = applyNumeric(next, concrete);
      keepNewToSet(next, concrete);
      const ordering = takePushOrdering(concrete);
      // `$pop` takes 1 or -1, which mingo recognises only as plain numbers.
      if (isPlainObject(concrete.$pop)) concrete.$pop = plainNumbers(concrete.$pop);
      const rest = withoutEmpty(concrete);
      let changed = pulled || computed;
      if (Object.keys(rest).length > 0) {
        try {
          changed = mingoUpdate(next, rest, opts.inserting ? opts.arrayFilters : undefined).length > 0 || changed;
        } catch (err) {
          throw toUpdateError(err);
        }
      }
      for (const [path, order] of ordering) changed = applyPushOrdering(next, path, order) || changed;
      for (const [field, value] of Object.entries(dollarFields)) setOwn(next, field, cloneDoc(value));
      if (!changed && !opts.inserting) return doc;
      orderCreatedFields(doc, next, written);
      if (dbRefFields) next = documentsAsDbRefs(next) as Doc;
    } else if (!opts.inserting) {
      return doc;
    }
  } else {
    next = { _id: doc._id, ...(u as Doc) };
    if (!('_id' in u)) next._id = doc._id;
    if (next._id === undefined) delete next._id;
  }
  // A pipeline or replacement that drops `_id` keeps the original one.
  if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  if (!opts.inserting && !valuesEqual(doc._id, next._id)) {
    fail(ErrorCodes.ImmutableField, `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(next._id)}`);
  }
  checkDocumentSize(next, false);
  const result = idFirst(next);
  // Equal values of other number types (1 and 1.0) leave the document unchanged, as MongoDB counts it.
  if (!opts.inserting && canonicalKey(result) === canonicalKey(doc)) return doc;
  return result;
}

/**
 * Top-level `$`-prefixed field names in a modifier update. MongoDB 5+ treats an upsert that inserts
 * as an insert for field-name validation, so `$set: {$price: 1}` stores a field `$price` then
 * (they are taken out of `$set` here and set directly); on an existing document any modifier of
 * such a field answers DollarPrefixedFieldName (52). MongoDB manual: "Dollar-Prefixed Field Names".
 */
function takeDollarFields(mod: Doc, inserting: boolean): Doc {
  const taken: Doc = {};
  for (const [op, arg] of Object.entries(mod)) {
    if (!isPlainObject(arg)) continue;
    for (const path of Object.keys(arg)) {
      if (!path.startsWith('$')) continue;
      if (!inserting || op !== '$set' || path.includes('.')) {
        const field = path.split('.')[0];
        fail(ErrorCodes.DollarPrefixedFieldName, `The dollar ($) prefixed field '${field}' in '${path}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
      }
      setOwn(taken, path, arg[path]);
    }
  }
  if (Object.keys(taken).length > 0) mod.$set = Object.fromEntries(Object.entries(mod.$set as Doc).filter(([path]) => !path.startsWith('$')));
  return taken;
}

/** The paths an update may create fields at: every operator's, `$rename`'s targets, none of the removing ones. */
function writtenPaths(mod: Doc): string[] {
  const paths: string[] = [];
  for (const [op, arg] of Object.entries(mod)) {
    if (!isPlainObject(arg) || REMOVING.has(op)) continue;
    paths.push(...(op === '$rename' ? Object.values(arg).map(String) : Object.keys(arg)));
  }
  return paths;
}

const REMOVING = new Set(['$unset', '$pull', '$pullAll', '$pop']);

const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

/** Whether an update names a field of a DBRef (`a.$id`), which mingo reaches only in a plain document. */
function namesDbRefField(mod: Doc): boolean {
  return Object.values(mod).some((arg) => isPlainObject(arg) && Object.keys(arg).some((path) => path.split('.').some((part) => DBREF_FIELDS.has(part))));
}

/** The DBRefs in a value as the documents they are in BSON (`{$ref, $id, $db, ...}`). */
function dbRefsAsDocuments(v: unknown): unknown {
  if (v instanceof DBRef) return { $ref: v.collection, $id: v.oid, ...(v.db ? { $db: v.db } : {}), ...v.fields };
  if (Array.isArray(v)) return v.map(dbRefsAsDocuments);
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, dbRefsAsDocuments(x));
  return out;
}

/** The documents shaped as DBRefs (`$ref` a string, then `$id`) as the DBRefs the stored form holds. */
function documentsAsDbRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(documentsAsDbRefs);
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  if (keys[0] === '$ref' && keys[1] === '$id' && typeof v.$ref === 'string') {
    const { $ref, $id, $db, ...fields } = v;
    return new DBRef($ref, $id as ObjectId, typeof $db === 'string' ? $db : undefined, fields);
  }
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, documentsAsDbRefs(x));
  return out;
}

function withoutEmpty(mod: Doc): Doc {
  const out: Doc = {};
  for (const [op, arg] of Object.entries(mod)) if (!isPlainObject(arg) || Object.keys(arg).length > 0) out[op] = arg;
  return out;
}

const POSITIONAL_PART = /^\$(\[[^\]]*\])?$/;

function valueAt(doc: unknown, parts: string[]): unknown {
  let cur = doc;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Doc)[Array.isArray(cur) ? Number(part) : part];
  }
  return cur;
}

/** Filter conditions on the array at `path` (top level or inside $and), for the positional `$`. */
function conditionsOn(filter: Doc, path: string): Doc[] {
  const out: Doc[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) for (const sub of v) if (isPlainObject(sub)) out.push(...conditionsOn(sub, path));
    if (k === path || k.startsWith(path + '.')) out.push({ [k]: v });
  }
  return out;
}

function resolvePositional(doc: Doc, mod: Doc, filter: Doc, arrayFilters: Doc[] | undefined): Doc {
  const filters = new Map<string, ReturnType<typeof createQuery>>();
  const used = new Set<string>();
  for (const f of arrayFilters ?? []) {
    const ids = filterIdentifiers(f, new Set());
    if (ids.size !== 1) fail(ErrorCodes.FailedToParse, 'Error parsing array filter :: caused by :: Expected a single top-level field name');
    const [id] = ids;
    if (filters.has(id)) fail(ErrorCodes.FailedToParse, `Found multiple array filters with the same top-level field name ${id}`);
    filters.set(id, createQuery(f));
  }
  // An identifier counts as used when a path names it, even where no element reaches it (an empty array).
  for (const arg of Object.values(mod)) {
    if (isPlainObject(arg)) for (const p of Object.keys(arg)) for (const x of p.split('.')) if (/^\$\[[^\]]+\]$/.test(x)) used.add(x.slice(2, -1));
  }
  const out: Doc = {};
  for (const [op, arg] of Object.entries(mod)) {
    if (!isPlainObject(arg) || !Object.keys(arg).some((p) => p.split('.').some((x) => POSITIONAL_PART.test(x)))) {
      out[op] = arg;
      continue;
    }
    const next: Doc = {};
    for (const [path, value] of Object.entries(arg)) {
      const parts = path.split('.');
      const expand = (i: number, prefix: string[]): void => {
        if (i === parts.length) {
          next[prefix.join('.')] = value;
          return;
        }
        const part = parts[i];
        if (!POSITIONAL_PART.test(part)) {
          expand(i + 1, [...prefix, part]);
          return;
        }
        const array = valueAt(doc, prefix);
        const at = prefix.join('.');
        if (part === '$') {
          const conditions = conditionsOn(filter, at);
          const matcher = conditions.length ? createQuery({ $and: conditions }) : undefined;
          const index = Array.isArray(array) && matcher ? array.findIndex((el) => matcher.test(probe(at, el))) : -1;
          if (index < 0) fail(ErrorCodes.BadValue, 'The positional operator did not find the match needed from the query.');
          expand(i + 1, [...prefix, String(index)]);
          return;
        }
        if (!Array.isArray(array)) fail(ErrorCodes.BadValue, `The path '${at}' must exist in the document in order to apply array updates.`);
        if (part === '$[]') {
          for (let j = 0; j < array.length; j++) expand(i + 1, [...prefix, String(j)]);
          return;
        }
        const id = part.slice(2, -1);
        const query = filters.get(id);
        if (!query) fail(ErrorCodes.BadValue, `No array filter found for identifier '${id}' in path '${path}'`);
        for (let j = 0; j < array.length; j++) if (query.test({ [id]: array[j] })) expand(i + 1, [...prefix, String(j)]);
      };
      expand(0, []);
    }
    out[op] = next;
  }
  for (const id of filters.keys()) {
    if (!used.has(id)) fail(ErrorCodes.FailedToParse, `The array filter for identifier '${id}' was not used in the update ${JSON.stringify(mod)}`);
  }
  return out;
}

/** The identifiers an array filter names: its top-level fields' first parts, also inside `$and`/`$or`/`$nor`. */
function filterIdentifiers(filter: Doc, out: Set<string>): Set<string> {
  for (const [k, v] of Object.entries(filter)) {
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) filterIdentifiers(sub, out);
    } else if (!k.startsWith('$')) {
      out.add(k.split('.')[0]);
    }
  }
  return out;
}

/** A document holding only `el` as the single element of the array at `path`. */
function probe(path: string, el: unknown): Doc {
  const doc: Doc = {};
  setPath(doc, path, [el]);
  return doc;
}

const LOGICAL_QUERY = new Set(['$and', '$or', '$nor', '$expr']);

/**
 * A query on array elements ($pull conditions, arrayFilters) with the server's own matcher, as a find filter
 * matches: BSON comparison (sub-documents equal only with their fields in the same order, BinData by length),
 * where mingo's would take `{a: 1, b: 2}` and `{b: 2, a: 1}` as one value.
 */
function createQuery(filter: Doc): { test(doc: Doc): boolean } {
  return { test: compileFilter(filter) };
}

/**
 * `$pull` as MongoDB applies it: a document condition is a query on each element (so `$or`,
 * `$and`, `$nor` and `$elemMatch` work, as Mongoose sends for subdocuments without `_id`), an
 * operator condition tests each value, anything else removes equal values. Done here and taken out
 * of `mod`; returns whether an array changed.
 */
function applyPull(doc: Doc, mod: Doc): boolean {
  const spec = mod.$pull;
  if (!isPlainObject(spec)) return false;
  delete mod.$pull;
  let changed = false;
  for (const [path, cond] of Object.entries(spec)) {
    const array = valueAt(doc, path.split('.'));
    if (!Array.isArray(array)) continue;
    let remove: (el: unknown) => boolean;
    if (isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$') && !LOGICAL_QUERY.has(k))) {
      const q = createQuery({ v: cond });
      remove = (el) => q.test({ v: el });
    } else if (isPlainObject(cond)) {
      const q = createQuery(cond);
      remove = (el) => isPlainObject(el) && q.test(el);
    } else if (cond instanceof RegExp || cond instanceof BSONRegExp) {
      // A regular expression is a condition on each element, as in a query, not a value to equal.
      const q = createQuery({ v: cond });
      remove = (el) => q.test({ v: el });
    } else {
      remove = (el) => valuesEqual(el, cond);
    }
    const kept = array.filter((el) => !remove(el));
    if (kept.length !== array.length) {
      setPath(doc, path, kept);
      changed = true;
    }
  }
  return changed;
}

const NUMERIC_OPERATORS = ['$inc', '$mul', '$min', '$max', '$bit'] as const;

/**
 * `$inc`, `$mul`, `$min` and `$max` as MongoDB applies them to typed numbers (see numbers.ts; mingo
 * computes with plain numbers only). Done here on concrete paths and taken out of `mod`; returns
 * whether a value changed.
 */
function applyNumeric(doc: Doc, mod: Doc): boolean {
  let changed = false;
  for (const op of NUMERIC_OPERATORS) {
    const spec = mod[op];
    if (!isPlainObject(spec)) continue;
    delete mod[op];
    for (const [path, raw] of Object.entries(spec)) {
      const operand = op === '$bit' ? undefined : storedNumber(raw);
      if ((op === '$inc' || op === '$mul') && numberKind(operand) === undefined) {
        fail(ErrorCodes.TypeMismatch, `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(raw)}}`);
      }
      const parts = path.split('.');
      const parent = parentFor(doc, parts);
      const key = parts[parts.length - 1];
      const current = Array.isArray(parent) ? parent[Number(key)] : Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined;
      let value: unknown;
      if (op === '$bit') {
        value = bitwise(current, raw, path);
      } else if (op === '$inc' || op === '$mul') {
        const describe = () => `${String(current)} for document {_id: ${JSON.stringify(doc._id)}}`;
        value = current === undefined ? (op === '$inc' ? operand : zeroLike(operand)) : arithmetic(current, operand, op === '$inc' ? 'add' : 'mul', describe);
      } else {
        const c = current === undefined ? 1 : compareValues(operand, current);
        if (current !== undefined && (op === '$min' ? c >= 0 : c <= 0)) continue;
        value = cloneDoc(operand);
      }
      if (current !== undefined && numberKind(current) === numberKind(value) && valuesEqual(current, value)) continue;
      if (Array.isArray(parent)) {
        const i = Number(key);
        while (parent.length < i) parent.push(null);
        parent[i] = value;
      } else {
        setOwn(parent, key, value);
      }
      changed = true;
    }
  }
  return changed;
}

/**
 * `$addToSet` as MongoDB applies it: values the array does not hold yet, equal by MongoDB's
 * comparison (1, NumberLong(1) and 1.0 are one value; documents are equal only with their fields in
 * the same order), are pushed; mingo's own `$addToSet` would judge equality its way, so it never sees one.
 */
function keepNewToSet(doc: Doc, mod: Doc): void {
  const spec = mod.$addToSet;
  if (!isPlainObject(spec)) return;
  delete mod.$addToSet;
  const push: Doc = { ...(isPlainObject(mod.$push) ? mod.$push : {}) };
  for (const [path, arg] of Object.entries(spec)) {
    const each = isPlainObject(arg) && Array.isArray(arg.$each) && Object.keys(arg).length === 1;
    const values: unknown[] = each ? arg.$each : [arg];
    const current = valueAt(doc, path.split('.'));
    const seen = new Set((Array.isArray(current) ? current : []).map((v) => canonicalKey(v)));
    const fresh = values.filter((v) => {
      const key = canonicalKey(v);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (!Array.isArray(current) || fresh.length > 0) push[path] = { $each: fresh };
  }
  if (Object.keys(push).length > 0) mod.$push = push;
}

/**
 * `$currentDate` becomes a `$set` of the time now: a Date, or with `{ $type: 'timestamp' }` a BSON
 * Timestamp (seconds and an increment), as MongoDB stores them (mingo would store a plain number).
 */
let timestampIncrement = 0;
function currentDatesAsSet(mod: Doc): void {
  const spec = mod.$currentDate;
  if (!isPlainObject(spec)) return;
  delete mod.$currentDate;
  const now = new Date();
  const set: Doc = { ...(isPlainObject(mod.$set) ? mod.$set : {}) };
  for (const [path, how] of Object.entries(spec)) {
    // MongoDB takes any boolean as a date.
    const type = typeof how === 'boolean' ? 'date' : isPlainObject(how) && Object.keys(how).length === 1 ? how.$type : undefined;
    if (type === 'date') set[path] = now;
    else if (type === 'timestamp') set[path] = new Timestamp({ t: Math.floor(now.getTime() / 1000), i: ++timestampIncrement });
    else fail(ErrorCodes.BadValue, "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
  }
  if (Object.keys(set).length > 0) mod.$set = set;
}

/**
 * `$bit` on an int32 or int64 field (a missing one counts as int32 0): `and`, `or`, `xor` in the
 * order given; an int64 on either side gives an int64.
 */
function bitwise(current: unknown, spec: unknown, path: string): unknown {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) fail(ErrorCodes.BadValue, `The $bit modifier is not compatible with a non-object argument: {${path}: ${JSON.stringify(spec)}}`);
  const start = current === undefined ? 0 : current;
  let kind = numberKind(start);
  if (kind !== 0 && kind !== 1) fail(ErrorCodes.BadValue, `Cannot apply $bit to a value of non-integral type. {${path}: ${JSON.stringify(current)}}`);
  let bits = BigInt.asIntN(64, BigInt(String(start)));
  for (const [how, raw] of Object.entries(spec)) {
    const arg = storedNumber(raw);
    const argKind = numberKind(arg);
    if (argKind !== 0 && argKind !== 1) fail(ErrorCodes.BadValue, `The $bit modifier field must be an Integer(32/64 bit); a '${typeof raw}' is not supported here`);
    const x = BigInt(String(arg));
    if (how === 'and') bits &= x;
    else if (how === 'or') bits |= x;
    else if (how === 'xor') bits ^= x;
    else fail(ErrorCodes.BadValue, `The $bit modifier only supports 'and', 'or', and 'xor', not '${how}' which is an unknown operator: {${how}: ${JSON.stringify(raw)}}`);
    if (argKind === 1) kind = 1;
  }
  return kind === 1 ? Long.fromBigInt(BigInt.asIntN(64, bits)) : Number(BigInt.asIntN(32, bits));
}

interface PushOrdering {
  sort?: unknown;
  slice?: number;
}

/**
 * Takes `$sort` and `$slice` out of `$push` modifiers (mingo would sort in its own type order, not
 * MongoDB's, and not by numeric value across types); they are applied after the push, in MongoDB's
 * order: insert at `$position`, then sort, then slice.
 */
function takePushOrdering(mod: Doc): Array<[string, PushOrdering]> {
  if (!isPlainObject(mod.$push)) return [];
  const spec: Doc = { ...mod.$push }; // the command's own document stays as sent (multi-document updates reuse it)
  mod.$push = spec;
  const out: Array<[string, PushOrdering]> = [];
  for (const [path, arg] of Object.entries(spec)) {
    // mingo takes `$position` as a plain number only (an int64 or integral double arrives wrapped).
    if (isPlainObject(arg) && arg.$position !== undefined && typeof arg.$position === 'object') spec[path] = { ...arg, $position: toNumber(arg.$position) };
    if (!isPlainObject(arg) || !Array.isArray(arg.$each) || (!('$sort' in arg) && !('$slice' in arg))) continue;
    const { $sort: sort, $slice: slice, ...push } = spec[path] as Doc;
    if (slice !== undefined && !Number.isInteger(toNumber(slice))) fail(ErrorCodes.BadValue, `The value for $slice must be an integer value but was given type: ${typeof slice}`);
    if (sort !== undefined && !(sort === 1 || sort === -1 || (isPlainObject(sort) && Object.keys(sort).length > 0 && Object.values(sort).every((d) => d === 1 || d === -1)))) {
      fail(ErrorCodes.BadValue, 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
    }
    spec[path] = push;
    out.push([path, { sort, slice: slice === undefined ? undefined : toNumber(slice) }]);
  }
  return out;
}

/** Sorts and slices the pushed array; returns whether that changed it. */
function applyPushOrdering(doc: Doc, path: string, order: PushOrdering): boolean {
  const found = valueAt(doc, path.split('.'));
  if (!Array.isArray(found)) return false;
  let array: unknown[] = found;
  if (order.sort !== undefined) {
    const sort = order.sort;
    array = isPlainObject(sort) ? sortDocs(array as Doc[], sort) : array.slice().sort((a, b) => (sort as number) * compareValues(a, b));
  }
  if (order.slice !== undefined) array = order.slice >= 0 ? array.slice(0, order.slice) : array.slice(Math.max(0, array.length + order.slice));
  const parts = path.split('.');
  const parent = parentFor(doc, parts);
  const key = parts[parts.length - 1];
  if (Array.isArray(parent)) parent[Number(key)] = array;
  else setOwn(parent, key, array);
  return array.length !== found.length || array.some((v, i) => v !== found[i]);
}

/** The object or array holding the last part of a concrete path, creating missing objects on the way. */
function parentFor(doc: Doc, parts: string[]): Doc | unknown[] {
  let cur: Doc | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    const container: Doc = cur as Doc;
    let next = Array.isArray(cur) ? cur[Number(part)] : Object.prototype.hasOwnProperty.call(cur, part) ? container[part] : undefined;
    if (next === undefined || next === null) {
      next = {};
      if (Array.isArray(cur)) {
        while (cur.length < Number(part)) cur.push(null);
        cur[Number(part)] = next;
      } else {
        setOwn(container, part, next);
      }
    }
    cur = next as Doc | unknown[];
  }
  return cur;
}

function runPipeline(doc: Doc, pipeline: Doc[], variables?: Doc): Doc {
  // The stages see the typed document (see query/arithmetic.ts): untouched and moved fields keep
  // their types, arithmetic gives MongoDB's result types, mingo's other operators get plain numbers.
  const end = beginAggregation();
  try {
    const typed = cloneDoc(doc);
    if (hasNumberWrappers(typed)) markWrappers();
    return createAggregator(pipeline, variables ? { variables } : undefined).run([typed])[0] as Doc;
  } catch (err) {
    throw toUpdateError(err);
  } finally {
    end();
  }
}

function toUpdateError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo reports type errors like "$inc on non-number"; MongoDB answers TypeMismatch or BadValue.
  if (/immutable field '_id'/.test(message)) return new MongoServerError(ErrorCodes.ImmutableField, message);
  const code = mingoErrorCode(message) ?? (/type|number|array/i.test(message) ? ErrorCodes.TypeMismatch : ErrorCodes.BadValue);
  return new MongoServerError(code, message);
}

/**
 * Fields an upsert copies from its filter, as mongod extracts them (its jstests/core/upsert_fields.js):
 * the equalities the filter implies, at its top level or under `$and`, or as the one clause of an
 * `$or` (mongod rewrites a single-clause `$or`/`$and` into that clause). An equality is `path: value`
 * (but not a regex, which is a pattern match), `$eq` (a regex value too), a `$in` of one value and each
 * value of `$all`; comparisons, `$elemMatch`, `$not`, `$nor` and an `$or` of several clauses imply none.
 * Two equalities on one path, or on a path and a path inside it, cannot both be set: NotSingleValueField
 * (54). A replacement takes only `_id`, which must then be given whole (NotExactValueField, 111).
 */
export function upsertSeed(filter: Doc, onlyId = false): Doc {
  const equalities: [string, unknown][] = [];
  const visit = (f: Doc) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
      } else if (k === '$or' && Array.isArray(v) && v.length === 1 && isPlainObject(v[0])) {
        visit(v[0]);
      } else if (!k.startsWith('$')) {
        for (const value of impliedEqualities(v)) equalities.push([k, value]);
      }
    }
  };
  visit(filter);
  const kept = onlyId ? equalities.filter(([path]) => path === '_id' || path.startsWith('_id.')) : equalities;
  for (let i = 0; i < kept.length; i++) {
    for (let j = i + 1; j < kept.length; j++) {
      const [a, b] = [kept[i][0], kept[j][0]];
      if (a === b) fail(ErrorCodes.NotSingleValueField, `cannot infer query fields to set, path '${a}' is matched twice`);
      if (b.startsWith(`${a}.`) || a.startsWith(`${b}.`)) fail(ErrorCodes.NotSingleValueField, `cannot infer query fields to set, both paths '${a}' and '${b}' are matched`);
    }
  }
  const seed: Doc = {};
  for (const [path, value] of kept) {
    if (onlyId && path !== '_id') fail(ErrorCodes.NotExactValueField, `field at '_id' must be exactly specified, field at sub-path '${path}' found`);
    setPath(seed, path, cloneDoc(value));
  }
  return seed;
}

/** The values a field's condition requires it to equal (see upsertSeed). */
function impliedEqualities(cond: unknown): unknown[] {
  const isPattern = (v: unknown) => v instanceof RegExp || v instanceof BSONRegExp;
  if (isPattern(cond)) return [];
  if (!isPlainObject(cond) || !Object.keys(cond).some((op) => op.startsWith('$'))) return [cond];
  const values: unknown[] = [];
  if ('$eq' in cond) values.push(cond.$eq);
  if (Array.isArray(cond.$in) && cond.$in.length === 1 && !isPattern(cond.$in[0])) values.push(cond.$in[0]);
  if (Array.isArray(cond.$all)) {
    for (const v of cond.$all) if (!isPattern(v) && !(isPlainObject(v) && '$elemMatch' in v)) values.push(v);
  }
  return values;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(cur[parts[i]])) cur[parts[i]] = {};
    cur = cur[parts[i]];
  }
  cur[parts[parts.length - 1]] = value;
}

/** The document an upsert inserts. */
export function buildUpsert(filter: Doc, u: UpdateSpec, opts: { arrayFilters?: Doc[]; variables?: Doc }): Doc {
  let doc: Doc;
  if (!Array.isArray(u) && !isOperatorUpdate(u)) {
    const seed = upsertSeed(filter, true);
    doc = { ...(u as Doc) };
    if (!('_id' in doc) && '_id' in seed) doc = { _id: seed._id, ...doc };
  } else {
    doc = applyUpdate(upsertSeed(filter), u, { ...opts, inserting: true });
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  return idFirst(doc);
}
