/**
 * Applying update documents (operators, replacements, pipelines) and building upserted documents.
 * The operators themselves are mingo's; this module adds MongoDB's checks around them: immutable
 * `_id`, conflicting paths, `$setOnInsert`, unknown modifiers.
 */
import { update as mingoUpdate } from 'mingo';
import { createAggregator } from './mingo-context.js';
import { fastUpdate } from './fast-update.js';
import { ObjectId } from 'bson';
import { cloneDoc, idFirst, isPlainObject, valuesEqual, type Doc } from '../bson-values.js';
import { ErrorCodes, MongoServerError, fail } from '../errors.js';

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
    const paths = op === '$rename' ? [...Object.keys(arg), ...Object.values(arg).map(String)] : Object.keys(arg);
    for (const p of paths) {
      const base = p.split('.$')[0];
      const clash = seen.find((s) => s === base || s.startsWith(base + '.') || base.startsWith(s + '.'));
      if (clash) fail(ErrorCodes.ConflictingUpdateOperators, `Updating the path '${p}' would create a conflict at '${clash}'`);
      seen.push(base);
    }
  }
}

/**
 * The document after the update, or the same object when nothing changed. `filter` serves the
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
    if (!opts.inserting && !opts.arrayFilters && !(isPlainObject(mod.$set) && '_id' in mod.$set)) {
      const fast = fastUpdate(doc, mod);
      if (fast) return fast;
    }
    next = cloneDoc(doc);
    // mingo refuses any $set of _id; MongoDB allows setting it to its current value (and, on upsert, to any).
    if (isPlainObject(mod.$set) && '_id' in mod.$set) {
      const { _id: id, ...rest } = mod.$set;
      if (opts.inserting) next = idFirst({ ...next, _id: cloneDoc(id) });
      else if (!valuesEqual(id, doc._id)) fail(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
      if (Object.keys(rest).length > 0) mod.$set = rest;
      else delete mod.$set;
    }
    if (Object.keys(mod).length > 0) {
      try {
        // The filter only serves the positional `$` operator; passing it otherwise would re-test it.
        const positional = Object.values(mod).some((arg) => isPlainObject(arg) && Object.keys(arg).some((p) => /\.\$(\.|$)/.test(p)));
        const condition = positional && !opts.inserting ? opts.filter : undefined;
        const changed = mingoUpdate(next, mod, opts.arrayFilters, condition);
        if (changed.length === 0 && !opts.inserting) return doc;
      } catch (err) {
        throw toUpdateError(err);
      }
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
  return idFirst(next);
}

function runPipeline(doc: Doc, pipeline: Doc[], variables?: Doc): Doc {
  try {
    const out = createAggregator(pipeline, variables ? { variables } : undefined).run([cloneDoc(doc)]);
    return out[0] as Doc;
  } catch (err) {
    throw toUpdateError(err);
  }
}

function toUpdateError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // mingo reports type errors like "$inc on non-number"; MongoDB answers TypeMismatch or BadValue.
  if (/immutable field '_id'/.test(message)) return new MongoServerError(ErrorCodes.ImmutableField, message);
  const code = /type|number|array/i.test(message) ? ErrorCodes.TypeMismatch : ErrorCodes.BadValue;
  return new MongoServerError(code, message);
}

/** Fields an upsert copies from the filter: top-level equality conditions (also inside $and). */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  const visit = (f: Doc) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
        if (!('$eq' in v)) continue;
        value = v.$eq;
      } else {
        value = v;
      }
      setPath(seed, k, cloneDoc(value));
    }
  };
  visit(filter);
  return seed;
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
    const seed = upsertSeed(filter);
    doc = { ...(u as Doc) };
    if (!('_id' in doc) && '_id' in seed) doc = { _id: seed._id, ...doc };
  } else {
    doc = applyUpdate(upsertSeed(filter), u, { ...opts, inserting: true });
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  return idFirst(doc);
}
