/**
 * aggregate: the pipeline runs in mingo; this module feeds it (using an index for a leading $match),
 * resolves other collections for $lookup/$graphLookup/$unionWith, and performs $out/$merge itself
 * so their writes go through the engine (unique indexes, journal, transactions).
 */
import { ProcessingMode } from 'mingo';
import { canonicalKey, cloneDoc, hasNumberWrappers, idFirst, isPlainObject, toNumber, type Doc } from '../bson-values.js';
import { asServerError, ErrorCodes, fail } from '../errors.js';
import { duplicateKeyError } from '../storage/collection.js';
import { access, optionalNumber, writeWhenUnlocked, type CommandContext, type Targets, type Handler } from './context.js';
import { cursorOwner } from './cursors.js';
import { hintedIndex, hintedRead, selectDocs, selectDocsSliced } from './crud.js';
import { documentsSliced, groupSliced, sortDocsSliced } from '../query/sliced.js';
import { Slicer } from '../storage/slices.js';
import { checkCollatedPipeline, checkGroupSpec, createAggregator, INTERNAL_OPERATORS, isKnownStage, keepsNumberTypes } from '../query/mingo-context.js';
import { effectiveCollation } from '../query/collation.js';
import { beginAggregation, markWrappers } from '../query/arithmetic.js';
import { ObjectId } from 'bson';

const UNSUPPORTED_STAGES: Record<string, string> = {
  $changeStream: 'change streams are not supported by the embedded server',
  $geoNear: 'geospatial queries ($geoNear) are not supported by the embedded server',
  $search: 'Atlas Search ($search) is not supported by the embedded server',
  $searchMeta: 'Atlas Search ($searchMeta) is not supported by the embedded server',
  $vectorSearch: 'vector search is not supported by the embedded server',
  $listSessions: '$listSessions is not supported by the embedded server',
  $listLocalSessions: '$listLocalSessions must be the first stage of a collection-less aggregate',
  $currentOp: '$currentOp is not supported by the embedded server',
  $collStats: '$collStats is not supported by the embedded server',
  $indexStats: '$indexStats is not supported by the embedded server',
  $planCacheStats: '$planCacheStats is not supported by the embedded server',
};

/**
 * Stages that never modify their input documents, so stored documents can be fed without copying.
 * ($project is not one: mingo's exclusion projection deletes fields from nested input objects.)
 */
const READ_ONLY_STAGES = new Set(['$match', '$group', '$count', '$sort', '$limit', '$skip', '$sortByCount', '$bucket', '$bucketAuto']);

function checkStages(pipeline: Doc[]): void {
  const text = JSON.stringify(pipeline);
  for (const name of INTERNAL_OPERATORS) if (text.includes(`"${name}":`)) fail(ErrorCodes.InvalidPipelineOperator, `Unrecognized expression '${name}'`);
  for (const [i, stage] of pipeline.entries()) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) fail(ErrorCodes.Location40324, 'A pipeline stage specification object must contain exactly one field.');
    const op = Object.keys(stage)[0];
    const unsupported = op === '$listLocalSessions' && i === 0 ? undefined : UNSUPPORTED_STAGES[op];
    if (unsupported) fail(ErrorCodes.CommandNotSupported, unsupported);
    if (!isKnownStage(op) && !UNSUPPORTED_STAGES[op]) fail(ErrorCodes.Location40324, `Unrecognized pipeline stage name: '${op}'`);
    // mingo takes a $limit of 0 and says less about bad arguments: MongoDB's own checks and codes.
    if (op === '$limit') {
      if (Number.isNaN(toNumber(stage.$limit))) fail(15957, 'the limit must be specified as a number');
      if (toNumber(stage.$limit) <= 0) fail(15958, 'the limit must be positive');
    }
    if (op === '$skip') {
      if (Number.isNaN(toNumber(stage.$skip))) fail(15972, `Argument to $skip must be a number not a ${typeof stage.$skip}`);
      if (toNumber(stage.$skip) < 0) fail(15956, 'Argument to $skip cannot be negative');
    }
    if (op === '$match' && JSON.stringify(stage.$match).includes('"$text"')) fail(ErrorCodes.NotImplemented, 'text search ($text) is not supported by the embedded server');
    if ((op === '$out' || op === '$merge') && i !== pipeline.length - 1) fail(40601, `${op} can only be the final stage in the pipeline`);
    if (op === '$project' || op === '$addFields' || op === '$set') checkProjectedFieldNames(op, stage[op]);
    if (op === '$lookup') checkLookup(stage.$lookup);
    if (op === '$group') checkGroupSpec(stage.$group);
    if (op === '$count') checkCountField(stage.$count);
    if (op === '$sample') checkSample(stage.$sample);
    for (const nested of ['$facet', '$lookup', '$unionWith']) {
      if (op !== nested) continue;
      const arg = stage[op];
      if (op === '$facet') {
        for (const sub of Object.values(arg as Doc)) {
          // MongoDB's rule: no stage that writes, or that must come first or alone, inside a facet.
          for (const inner of Array.isArray(sub) ? sub : []) {
            const innerOp = isPlainObject(inner) ? Object.keys(inner)[0] : undefined;
            if (innerOp && NOT_IN_FACET.has(innerOp)) fail(40600, `${innerOp} is not allowed to be used within a $facet stage`);
          }
          checkStages(sub as Doc[]);
        }
      } else if (isPlainObject(arg) && Array.isArray(arg.pipeline)) checkStages(arg.pipeline);
    }
  }
}

/** Stages MongoDB refuses inside `$facet` (StageConstraints::isAllowedInsideFacetStage). */
const NOT_IN_FACET = new Set(['$out', '$merge', '$facet', '$collStats', '$indexStats', '$changeStream', '$geoNear', '$documents', '$search', '$searchMeta', '$vectorSearch', '$currentOp', '$listLocalSessions', '$listSessions', '$planCacheStats']);

/**
 * The field names of `$project`, `$addFields` and `$set`, checked as MongoDB's projection parser does: an empty
 * `$project` (51272), the find-only positional `$` (31324), and a name starting with `$` (16410). mingo would
 * answer the first with every field, the second with `[null]` and take the third as a field.
 */
function checkProjectedFieldNames(op: string, spec: unknown): void {
  if (!isPlainObject(spec)) return;
  if (op === '$project' && Object.keys(spec).length === 0) fail(51272, 'Invalid $project :: caused by :: projection specification must have at least one field');
  const visit = (obj: Doc): void => {
    for (const [key, value] of Object.entries(obj)) {
      const parts = key.split('.');
      if (op === '$project' && parts.includes('$') && parts[0] !== '$') fail(31324, 'Invalid $project :: caused by :: Cannot use positional projection in aggregation projection');
      if (parts.some((p) => p.startsWith('$'))) fail(16410, `Invalid ${op} :: caused by :: FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
      // A nested document of field names (not an expression, whose one key is an operator) names fields too.
      if (isPlainObject(value) && !Object.keys(value).some((k) => k.startsWith('$'))) visit(value);
    }
  };
  visit(spec);
}

/** `$sample`'s specification, as mongod parses it (a negative size would otherwise make mingo allocate without bound). */
function checkSample(spec: unknown): void {
  if (!isPlainObject(spec)) fail(28745, 'the $sample stage specification must be an object');
  for (const [field, value] of Object.entries(spec)) {
    if (field !== 'size') fail(28748, `unrecognized option to $sample: ${field}`);
    if (typeof value === 'boolean' || Number.isNaN(toNumber(value))) fail(28746, 'size argument to $sample must be a number');
    if (toNumber(value) < 0) fail(28747, 'size argument to $sample must not be negative');
  }
  if (!('size' in spec)) fail(28749, '$sample stage must specify a size');
}

/** `$count`'s output field name, as MongoDB's $count parser checks it. */
function checkCountField(field: unknown): void {
  if (typeof field !== 'string' || field === '') fail(40156, 'the count field must be a non-empty string');
  if (field.startsWith('$')) fail(40158, 'the count field cannot be a $-prefixed path');
  if (field.includes('.')) fail(40160, "the count field cannot contain '.'");
}

const LOOKUP_ARGUMENTS = new Set(['from', 'as', 'localField', 'foreignField', 'pipeline', 'let']);

/** `$lookup`'s arguments, refused with MongoDB's FailedToParse (9) where mingo would join `undefined`. */
function checkLookup(spec: unknown): void {
  if (!isPlainObject(spec)) fail(ErrorCodes.FailedToParse, 'the $lookup specification must be an Object');
  for (const key of Object.keys(spec)) if (!LOOKUP_ARGUMENTS.has(key)) fail(ErrorCodes.FailedToParse, `unknown argument to $lookup: ${key}`);
  if (typeof spec.as !== 'string' || spec.as === '') fail(ErrorCodes.FailedToParse, "must specify 'as' field for a $lookup");
  const hasPipeline = 'pipeline' in spec;
  if (!hasPipeline && (spec.from === undefined || spec.from === '')) fail(ErrorCodes.FailedToParse, "must specify 'from' field for a $lookup");
  if (('localField' in spec) !== ('foreignField' in spec) || (!hasPipeline && !('localField' in spec))) {
    fail(ErrorCodes.FailedToParse, "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  }
}

export const aggregateCommands: Record<string, Handler> = {
  async aggregate(ctx) {
    // A leading $group may make typed sums (see query/arithmetic.ts) before mingo runs the rest.
    const end = beginAggregation();
    try {
      return await runAggregate(ctx);
    } finally {
      end();
    }
  },
};

async function runAggregate(ctx: CommandContext): Promise<unknown> {
  const cmd = ctx.cmd;
  const pipeline: Doc[] = cmd.pipeline;
  if (!Array.isArray(pipeline)) fail(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
  if (!cmd.explain && !isPlainObject(cmd.cursor)) fail(ErrorCodes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
  checkStages(pipeline);
  const collectionless = cmd.aggregate === 1;
  const name = collectionless ? undefined : String(cmd.aggregate);
  const collation = effectiveCollation(cmd.collation, name === undefined ? undefined : access(ctx, name).catalogEntry?.options.collation);
  if (collation) checkCollatedPipeline(pipeline);

  const last = pipeline[pipeline.length - 1];
  const writeStage = last && ('$out' in last || '$merge' in last) ? last : undefined;
  if (writeStage && cmd.readConcern?.level === 'linearizable') {
    fail(ErrorCodes.InvalidOptions, `${Object.keys(writeStage)[0]} cannot be used with a 'linearizable' read concern level`);
  }
  if (writeStage) checkWriteTarget(writeStage, ctx.db);
  let stages = writeStage ? pipeline.slice(0, -1) : pipeline;

  // A leading $match is answered with the query planner (indexes) instead of a scan in mingo.
  let input: Doc[] = [];
  if (collectionless && stages[0] && '$listLocalSessions' in stages[0]) {
    // Sessions are not tracked beyond transactions; the caller's own session is the one we know.
    input = ctx.cmd.lsid ? [{ _id: { id: ctx.cmd.lsid.id }, lastUse: new Date() }] : [];
    stages = stages.slice(1);
  }
  if (name !== undefined) {
    const first = stages[0];
    let filter: Doc | undefined;
    if (first && '$match' in first) {
      filter = first.$match;
      stages = stages.slice(1);
    }
    const acc = access(ctx, name);
    const index = hintedIndex(acc, cmd.hint);
    if (index) {
      const hinted = hintedRead(index, filter, undefined);
      input = await documentsSliced(await selectDocsSliced(acc, hinted.filter, { sort: hinted.sort, variables: cmd.let, collation }), new Slicer());
    } else {
      input = filter ? await documentsSliced(await selectDocsSliced(acc, filter, { variables: cmd.let, collation }), new Slicer()) : await acc.allSliced(new Slicer());
    }
  }
  const readOnly = stages.every((s) => READ_ONLY_STAGES.has(Object.keys(s)[0]));
  // A stage that does not handle typed numbers gets plain copies once one is in its input (see query/arithmetic.ts).
  const computing = !keepsNumberTypes(stages);
  // Leading $sort and $group stages, the long ones over a whole collection, pause every few ms.
  const slicer = new Slicer();
  if (!readOnly || computing) {
    const copies = readOnly ? undefined : new Array<Doc>(input.length);
    let typed = !computing;
    for (let i = 0; i < input.length; i++) {
      if (copies) copies[i] = cloneDoc(input[i]);
      if (!typed && hasNumberWrappers(input[i])) {
        typed = true;
        markWrappers();
      }
      const pause = ctx.txn ? undefined : slicer.tick();
      if (pause) await pause;
    }
    if (copies) input = copies;
  }
  while (!ctx.txn && stages.length > 0) {
    const [op, arg] = Object.entries(stages[0])[0];
    if (op === '$sort' && isPlainObject(arg)) input = await sortDocsSliced(input, arg, slicer, collation);
    else if (op === '$group' && !collation) {
      const grouped = await groupSliced(input, arg, cmd.let, slicer).catch((err: unknown) => {
        throw asServerError(err);
      });
      if (!grouped) break;
      input = grouped;
    } else break;
    stages = stages.slice(1);
  }

  let results: Doc[];
  try {
    const agg = createAggregator(stages, {
      // Joined documents keep their number types (the stages and operators handle them, see query/arithmetic.ts).
      collectionResolver: (coll: string) => access(ctx, coll).all().map((d) => {
        if (hasNumberWrappers(d)) markWrappers();
        return cloneDoc(d);
      }),
      processingMode: ProcessingMode.CLONE_OFF,
      variables: cmd.let,
      ...(collation ? { collation: collation.spec as never } : {}),
    });
    results = agg.run(input) as Doc[];
  } catch (err) {
    throw asServerError(err);
  }

  if (writeStage) {
    await writeResults(ctx, writeStage, results);
    results = [];
  }
  const ns = `${ctx.db}.${name ?? '$cmd.aggregate'}`;
  return ctx.cursors.open(ns, results, optionalNumber(cmd.cursor?.batchSize), cursorOwner(ctx));
}

/** The databases MongoDB keeps for itself: no `$out`/`$merge` writes into them. */
const INTERNAL_DATABASES = new Set(['admin', 'config', 'local']);

/**
 * Refuses, as mongod's $out and $merge parsers do before the pipeline runs, a target that is a `system.*`
 * collection (17385 / 31319) or in an internal database (31321 / 31320).
 */
function checkWriteTarget(stage: Doc, currentDb: string): void {
  const out = '$out' in stage;
  const target: unknown = out ? stage.$out : isPlainObject(stage.$merge) ? stage.$merge.into : stage.$merge;
  const db = isPlainObject(target) ? String(target.db ?? currentDb) : currentDb;
  const coll = isPlainObject(target) ? String(target.coll) : String(target);
  if (coll.startsWith('system.')) fail(out ? 17385 : 31319, `${out ? "Can't $out" : 'Cannot $merge'} to special collection: ${coll}`);
  if (INTERNAL_DATABASES.has(db)) fail(out ? 31321 : 31320, `${out ? "Can't $out" : 'Cannot $merge'} to internal database: ${db}`);
}

/** $out replaces the target collection; $merge folds results into it by the `on` fields. */
async function writeResults(ctx: CommandContext, stage: Doc, results: Doc[]): Promise<void> {
  if ('$out' in stage) {
    const spec = stage.$out;
    const db = isPlainObject(spec) ? String(spec.db) : ctx.db;
    const coll = isPlainObject(spec) ? String(spec.coll) : String(spec);
    if (ctx.txn) fail(ErrorCodes.OperationNotSupportedInTransaction, '$out cannot be used in a transaction');
    // Build into a temporary collection first so a duplicate key leaves the target untouched.
    const tmpName = `tmp.agg_out.${new ObjectId().toHexString()}`;
    const target = ctx.engine.getCollection(db, coll);
    const tmp = ctx.engine.createCollection(db, tmpName, target?.options ?? {});
    try {
      for (const index of target?.indexes.values() ?? []) ctx.engine.createIndex(tmp, index.spec);
      for (const doc of results) ctx.engine.insertDoc(tmp, idFirst(doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc));
    } catch (err) {
      ctx.engine.dropCollection(db, tmpName);
      throw err;
    }
    ctx.engine.renameCollection(db, tmpName, db, coll, true);
    return;
  }
  const spec = typeof stage.$merge === 'string' ? { into: stage.$merge } : (stage.$merge as Doc);
  const into = spec.into;
  const db = isPlainObject(into) ? String(into.db ?? ctx.db) : ctx.db;
  const collName = isPlainObject(into) ? String(into.coll) : String(into);
  const on: string[] = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  if (Array.isArray(whenMatched) || isPlainObject(whenMatched)) fail(ErrorCodes.NotImplemented, '$merge with a pipeline for whenMatched is not supported by the embedded server');
  const acc = access(ctx, collName, db);
  for (const raw of results) {
    const doc = raw._id === undefined ? { _id: new ObjectId(), ...raw } : raw;
    const filter: Doc = {};
    for (const f of on) filter[f] = doc[f] ?? null;
    const [existing] = selectDocs(acc, filter, { limit: 1 });
    let write: Targets[number] | undefined;
    if (existing) {
      const [id, old] = existing;
      if (whenMatched === 'fail') {
        const key = Object.fromEntries(on.map((f) => [f, 1]));
        throw duplicateKeyError(`${db}.${collName}`, { key, name: on.length === 1 && on[0] === '_id' ? '_id_' : on.join('_') }, on.map((f) => filter[f]));
      }
      if (whenMatched === 'keepExisting') continue;
      const next = whenMatched === 'replace' ? { ...doc, _id: old._id } : { ...old, ...doc, _id: old._id };
      if (canonicalKey(next) !== canonicalKey(old)) write = [id, idFirst(next)];
    } else {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail') fail(13113, `$merge could not find a matching document in the target collection for ${JSON.stringify(filter)}`);
      write = [canonicalKey(doc._id), idFirst(doc)];
    }
    if (write) {
      const [id, next] = write;
      const isInsert = !existing;
      const done = writeWhenUnlocked(acc, () => ({ plan: next!, targets: [write] }), (d) => (isInsert ? acc.insert(d) : acc.replace(id, d)));
      if (done) await done;
    }
  }
}
