/**
 * Enrolments written as the application writes them (server/enrolments/enrolment-writer.ts), for the
 * throughput bench's `--app-writes N`: transactions of a batch of enrolments, each one `insertMany` of the
 * enrolments, one `insertMany` of their creation audit events (shaped as server/audit/record.ts builds them,
 * into a collection with audit_events' indexes), one ordered `bulkWrite` of upserting `$inc`s on the
 * progress counters of the enrolments' province, county, district and village, then the commit. Several
 * lanes run at once, each on its own provinces (as the app's counter queues keep a campaign's transactions
 * in turn), so transactions overlap as they do under the app's concurrent clients.
 */
import { ObjectId, type Document } from 'bson';
import type { AnyBulkWriteOperation, Db, MongoClient } from 'mongodb';

/** Enrolments per transaction (the app's group commit makes batches of one to a hundred). */
export const APP_BATCH = 20;
/** Concurrent lanes, each on the provinces `p % APP_LANES === lane`. */
export const APP_LANES = 4;

/** Creates the audit and counter collections' indexes (models/audit-event.model.ts, models/progress-counter.model.ts). */
export async function prepareAppCollections(db: Db): Promise<void> {
  const audit = db.collection('audit_events');
  await audit.createIndex({ placePath: 1 });
  await audit.createIndex({ province: 1 });
  await audit.createIndex({ province: 1, at: -1 });
  await audit.createIndex({ province: 1, subject: 1, documentId: 1, at: 1 });
  await audit.createIndex({ province: 1, 'actor.user': 1, at: -1 });
  await db.collection('progress_counters').createIndex({ province: 1, campaign: 1, placeCode: 1 }, { unique: true });
}

/** The creation event of an enrolment: every field but `_id`/`createdAt` as `{ field, before: null, after }`, sorted by name. */
function creationEvent(enrolment: Document, actor: Document, at: Date): Document {
  const changes = Object.keys(enrolment)
    .filter((field) => field !== '_id' && field !== 'createdAt' && field !== 'updatedAt')
    .sort()
    .map((field) => ({ field, before: null, after: enrolment[field] }));
  return {
    _id: new ObjectId(),
    at,
    actor,
    action: 'create',
    subject: 'enrolments',
    documentId: String(enrolment._id),
    place: enrolment.placePath.at(-1),
    changes,
    province: enrolment.province,
    placePath: [...enrolment.placePath],
  };
}

const LEVELS = ['province', 'county', 'district', 'village'];

/** The counters' upserting `$inc`s of a batch, summed per counter as server/quotas/progress.service.ts does. */
function counterWrites(batch: Document[]): AnyBulkWriteOperation[] {
  const sums = new Map<string, { province: string; campaign: ObjectId; code: string; level: string; placePath: string[]; inc: Record<string, number> }>();
  for (const e of batch) {
    const month = (e.createdAt as Date).toISOString().slice(0, 7);
    (e.placePath as string[]).forEach((code, depth) => {
      const key = `${String(e.campaign)}|${code}`;
      let sum = sums.get(key);
      if (!sum) sums.set(key, (sum = { province: e.province, campaign: e.campaign, code, level: LEVELS[depth], placePath: e.placePath.slice(0, depth + 1), inc: {} }));
      for (const field of ['logged', `byMonth.${month}.logged`, `byMonth.${month}.online`]) sum.inc[field] = (sum.inc[field] ?? 0) + (field.endsWith('online') ? Number(e.channel === 'online') : 1);
      sum.inc.verified ??= 0;
      sum.inc[`byMonth.${month}.verified`] ??= 0;
    });
  }
  return [...sums.values()].map(({ province, campaign, code, level, placePath, inc }) => ({
    updateOne: { filter: { province, campaign, placeCode: code }, update: { $inc: inc, $setOnInsert: { level, placePath } }, upsert: true },
  }));
}

/**
 * Writes `count` enrolments made by `make(i)` (i from `first`) through transactions as the app does; resolves
 * once all have committed. Enrolment i belongs to lane `province % APP_LANES`.
 */
export async function writeLikeTheApp(client: MongoClient, db: Db, first: number, count: number, make: (i: number) => Document): Promise<void> {
  const enrolments = db.collection('enrolments');
  const audit = db.collection('audit_events');
  const counters = db.collection('progress_counters');
  const lanes: Document[][] = Array.from({ length: APP_LANES }, () => []);
  for (let i = first; i < first + count; i++) {
    const e = make(i);
    lanes[Number(e.province) % APP_LANES].push(e);
  }
  const actors = new Map<string, Document>();
  const actorOf = (province: string) => {
    let a = actors.get(province);
    if (!a) actors.set(province, (a = { kind: 'user', user: new ObjectId(), username: `manager-${province}`, role: 'province_manager', ip: '127.0.0.1' }));
    return a;
  };
  await Promise.all(
    lanes.map(async (lane) => {
      const session = client.startSession();
      try {
        for (let start = 0; start < lane.length; start += APP_BATCH) {
          const batch = lane.slice(start, start + APP_BATCH);
          const at = new Date();
          await session.withTransaction(async () => {
            await enrolments.insertMany(batch, { session, ordered: true });
            await audit.insertMany(batch.map((e) => creationEvent(e, actorOf(e.province), at)), { session });
            await counters.bulkWrite(counterWrites(batch), { session, ordered: true });
          });
        }
      } finally {
        await session.endSession();
      }
    }),
  );
}
