import mongoose, { Types, type ClientSession, type HydratedDocument, type Model, type MongooseQueryMiddleware, type Query, type Schema } from 'mongoose';
import { requireActor } from '../../server/audit/context.js';
import { recordAudit as writeEvents, type AuditInput, type AuditPlace } from '../../server/audit/record.js';

type Doc = Record<string, unknown> & { _id: unknown };

/** Query writes the plugin records; each reads the matched documents before and after, in the write's session. */
const WRITES: MongooseQueryMiddleware[] = ['updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'];
const SINGLE = new Set<string>(['updateOne', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'deleteOne', 'findOneAndDelete']);
const DELETES = new Set<string>(['deleteOne', 'deleteMany', 'findOneAndDelete']);

interface PendingWrite {
  before: Doc[];
  session: ClientSession;
  /** A transaction the plugin started because the write came without one: committed after the event is written. */
  own: boolean;
}
const pendingQueries = new WeakMap<object, PendingWrite>();

export interface AuditedOptions {
  /** Fields not repeated in the trail (e.g. a record's own `history` array). */
  ignore?: string[];
  /** For records outside the place tree: where their events belong (e.g. the owning user's place). */
  placeOf?: (doc: Doc, session: ClientSession) => Promise<AuditPlace | undefined>;
}

/**
 * THE audit mechanism: every write of a model with this plugin — `save()`/`create()`, the update, replace and delete
 * queries, `insertMany` and `bulkWrite` — writes one `audit_events` document per changed record, in the same
 * transaction (the write's session, or one the plugin opens for a write that came without). Who: the actor of the
 * request or job (server/audit/context.ts); a write with no actor throws before anything is written.
 * Raw driver writes (`Model.collection.…`) bypass Mongoose: they must call `recordAudit(session, events)` themselves.
 * Apply after `placeScoped`, whose scope filter the before-read then includes.
 */
export function audited(schema: Schema, options: AuditedOptions = {}): void {
  const ignore = options.ignore ?? [];
  const recordAudit = async (session: ClientSession, inputs: AuditInput[]) => {
    if (options.placeOf) for (const input of inputs) input.place = await options.placeOf((input.after ?? input.before) as Doc, session);
    await writeEvents(session, inputs);
  };
  const inputFor = (model: Model<unknown>, action: AuditInput['action'], before: Doc | null, after: Doc | null): AuditInput => ({
    action,
    subject: model.collection.collectionName,
    documentId: String((after ?? before)!._id),
    before,
    after,
    ignore,
  });

  // the actor first, before validation: a write nobody answers for is refused as that, whatever else is wrong with it
  schema.pre('validate', function (this: HydratedDocument<unknown>) {
    requireActor((this.constructor as Model<unknown>).modelName);
  });
  schema.pre('save', async function (this: HydratedDocument<unknown>) {
    const model = this.constructor as Model<unknown>;
    requireActor(model.modelName);
    let session = this.$session();
    if (!session) {
      session = await startOwnTransaction();
      this.$session(session);
      this.$locals.auditOwnSession = session;
    }
    if (this.isNew) this.$locals.auditBefore = null;
    else {
      // the province as it was stored (a save that moves the document reads it where it was)
      const province = model.schema.path('province') ? (this.isModified('province') ? undefined : this.get('province')) : undefined;
      this.$locals.auditBefore = await model.findOne(typeof province === 'string' ? { _id: this._id, province } : { _id: this._id }).session(session).setOptions({ scope: 'system' }).lean();
    }
  });
  schema.post('save', async function (this: HydratedDocument<unknown>) {
    const model = this.constructor as Model<unknown>;
    const session = this.$session()!;
    const before = (this.$locals.auditBefore as Doc | null) ?? null;
    await recordAudit(session, [inputFor(model, before ? 'update' : 'create', before, this.toObject({ depopulate: true }) as Doc)]);
    await finishOwn(this.$locals.auditOwnSession as ClientSession | undefined, () => this.$session(null));
  });
  schema.post('save', { errorHandler: true }, async function (this: HydratedDocument<unknown>) {
    await abortOwn(this.$locals.auditOwnSession as ClientSession | undefined, () => this.$session(null));
  });

  schema.pre(WRITES, { document: false, query: true }, async function (this: Query<unknown, unknown>) {
    requireActor(this.model.modelName);
    let session = this.getOptions().session ?? undefined;
    const own = !session;
    if (!session) {
      session = await startOwnTransaction();
      this.session(session);
    }
    const op = opOf(this);
    const find = this.model.find(this.getFilter()).session(session).setOptions({ scope: 'system' });
    if (SINGLE.has(op)) find.sort((this.getOptions().sort as Record<string, 1 | -1>) ?? {}).limit(1);
    pendingQueries.set(this, { before: (await find.lean()) as Doc[], session, own });
  });
  schema.post(WRITES, { document: false, query: true }, async function (this: Query<unknown, unknown>) {
    const pending = pendingQueries.get(this);
    if (!pending) return;
    pendingQueries.delete(this);
    const model = this.model as Model<unknown>;
    const { before, session } = pending;
    let inputs: AuditInput[];
    if (DELETES.has(opOf(this))) {
      const still = new Set((await model.find(byIds(model, before)).session(session).setOptions({ scope: 'system' }).distinct('_id')).map(String));
      inputs = before.filter((d) => !still.has(String(d._id))).map((d) => inputFor(model, 'delete', d, null));
    } else {
      const after = before.length
        ? ((await model.find(byIds(model, before, movedTo(this))).session(session).setOptions({ scope: 'system' }).lean()) as Doc[])
        : this.getOptions().upsert
          ? ((await model.find(this.getFilter()).session(session).setOptions({ scope: 'system' }).limit(1).lean()) as Doc[])
          : [];
      const earlier = new Map(before.map((d) => [String(d._id), d]));
      inputs = after.map((d) => {
        const was = earlier.get(String(d._id)) ?? null;
        return inputFor(model, was ? 'update' : 'create', was, d);
      });
    }
    await recordAudit(session, inputs);
    if (pending.own) await finishOwn(session, () => this.session(null));
  });
  schema.post(WRITES, { document: false, query: true, errorHandler: true }, async function (this: Query<unknown, unknown>) {
    const pending = pendingQueries.get(this);
    pendingQueries.delete(this);
    if (pending?.own) await abortOwn(pending.session, () => this.session(null));
  });

  /** insertMany: the documents get their ids first, so the events name them; written in the same session. */
  schema.statics.insertMany = async function (this: Model<unknown>, docs: unknown, opts: { session?: ClientSession | null } & Record<string, unknown> = {}) {
    requireActor(this.modelName);
    const list = (Array.isArray(docs) ? docs : [docs]).map((d) => {
      const plain = (d && typeof (d as { toObject?: unknown }).toObject === 'function' ? (d as { toObject: () => Doc }).toObject() : { ...(d as Doc) }) as Doc;
      plain._id ??= new Types.ObjectId();
      return plain;
    });
    return inSessionOrOwn(opts.session ?? undefined, async (session) => {
      const result = await (mongoose.Model.insertMany as (...args: unknown[]) => Promise<unknown>).call(this, list, { ...opts, session });
      const saved = await this.find(byIds(this, list)).session(session).setOptions({ scope: 'system' }).lean();
      await recordAudit(session, (saved as Doc[]).map((d) => inputFor(this, 'create', null, d)));
      return result;
    });
  };

  /** bulkWrite: every operation's documents read before and after, in the same session. */
  schema.statics.bulkWrite = async function (this: Model<unknown>, ops: Record<string, { filter?: Record<string, unknown>; document?: Doc }>[], opts: { session?: ClientSession | null } & Record<string, unknown> = {}) {
    requireActor(this.modelName);
    return inSessionOrOwn(opts.session ?? undefined, async (session) => {
      const read = (filter: Record<string, unknown>) => this.find(filter).session(session).setOptions({ scope: 'system' }).lean() as Promise<Doc[]>;
      const filters = ops.map((op) => Object.values(op)[0]?.filter).filter((f): f is Record<string, unknown> => Boolean(f));
      for (const op of ops) if (op.insertOne?.document) op.insertOne.document._id ??= new Types.ObjectId();
      const before = new Map<string, Doc>();
      for (const filter of filters) for (const d of await read(filter)) before.set(String(d._id), d);
      const result = await (mongoose.Model.bulkWrite as (...args: unknown[]) => Promise<unknown>).call(this, ops, { ...opts, session });
      const after = new Map<string, Doc>();
      const inserted = ops.map((op) => op.insertOne?.document).filter((d): d is Doc => Boolean(d));
      for (const d of await read(byIds(this, [...before.values(), ...inserted]))) after.set(String(d._id), d);
      for (const filter of filters) for (const d of await read(filter)) after.set(String(d._id), d);
      const inputs: AuditInput[] = [];
      for (const [id, d] of after) inputs.push(inputFor(this, before.has(id) ? 'update' : 'create', before.get(id) ?? null, d));
      for (const [id, d] of before) if (!after.has(id)) inputs.push(inputFor(this, 'delete', d, null));
      await recordAudit(session, inputs);
      return result;
    });
  };
}

/**
 * The filter that reads `docs` back by id. On a model with a `province` path (the sharded collections are keyed by
 * `{ province, … }`) it names the documents' own provinces too, so a cluster sharded by province asks one shard.
 */
function byIds(model: Model<unknown>, docs: Doc[], alsoProvinces: unknown[] = []): Record<string, unknown> {
  const filter: Record<string, unknown> = { _id: { $in: docs.map((d) => d._id) } };
  if (!model.schema.path('province')) return filter;
  const provinces = [...new Set([...docs.map((d) => d.province), ...alsoProvinces].filter((p): p is string => typeof p === 'string'))];
  if (provinces.length === 1) filter.province = provinces[0];
  else if (provinces.length > 1) filter.province = { $in: provinces };
  return filter;
}

/** The province an update query moves its documents to (`{ $set: { province } }` or a replacement's), if any. */
function movedTo(query: Query<unknown, unknown>): unknown[] {
  const update = query.getUpdate() as Record<string, unknown> | null;
  if (!update) return [];
  const set = update.$set as Record<string, unknown> | undefined;
  return [update.province, set?.province].filter((p) => typeof p === 'string');
}

/** The operation of a query (`updateOne`, …); Mongoose keeps it on `op`, which its types leave out. */
function opOf(query: Query<unknown, unknown>): string {
  return (query as unknown as { op?: string }).op ?? '';
}

async function startOwnTransaction(): Promise<ClientSession> {
  const session = await mongoose.startSession();
  session.startTransaction();
  return session;
}

async function finishOwn(session: ClientSession | undefined, detach: () => void): Promise<void> {
  if (!session) return;
  try {
    await session.commitTransaction();
  } finally {
    detach();
    await session.endSession();
  }
}

async function abortOwn(session: ClientSession | undefined, detach: () => void): Promise<void> {
  if (!session) return;
  if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
  detach();
  await session.endSession();
}

async function inSessionOrOwn<T>(session: ClientSession | undefined, work: (session: ClientSession) => Promise<T>): Promise<T> {
  if (session) return work(session);
  const own = await startOwnTransaction();
  try {
    const result = await work(own);
    await own.commitTransaction();
    return result;
  } catch (err) {
    if (own.inTransaction()) await own.abortTransaction().catch(() => undefined);
    throw err;
  } finally {
    await own.endSession();
  }
}
