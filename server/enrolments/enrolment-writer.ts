import { Types } from 'mongoose';
import { requireActor, type Actor } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { Enrolment, type EnrolmentRecord } from '../../models/enrolment.model.js';
import { inTransaction } from '../db/transaction.js';
import { countEnrolments, type CountedPlace } from '../quotas/progress.service.js';
import type { NewEnrolment } from './enrolments.service.js';

/**
 * Group commit of enrolments. Every enrolment of a campaign moves the same counters (its province's above all),
 * so the transactions that move a campaign's counters take turns (`counterQueue`). Instead of one transaction
 * per enrolment, the enrolments that arrive while the writer's transaction runs wait together and go into the
 * next one, whatever their campaign: one `insertMany`, one audit `insertMany`, one `bulkWrite` of the summed
 * counter `$inc`s, one commit. One lane for all campaigns rather than one per campaign: the commands of a batch
 * cost the same whether it holds one enrolment or fifty, and with a lane per campaign concurrent clients spread
 * over the provinces' campaigns made batches of 1–2 (4 commands each); a batch that spans campaigns waits for
 * each of their counter queues. An enrolment and its counters are always in the same transaction, and a caller
 * hears back only once its transaction has committed, so a crash between two batches loses nothing that was
 * acknowledged.
 *
 * When a batch fails, every caller still gets its own answer: the record, or the error of its own write. A
 * national ID already enrolled (or twice in the batch) stops the ordered insert at that enrolment with the
 * unique index's 11000: that caller gets it, and the rest of the batch is committed again without it (a
 * duplicate key, unlike a conflict with a transaction still running, means the other record is there for good).
 * Any other failure (a conflict that outlasted the retries) commits each enrolment of the batch on its own.
 */

export interface EnrolmentWrite {
  enrolment: NewEnrolment;
  /** Where it is counted: the place and its ancestors. */
  place: CountedPlace;
}

/** At most this many enrolments go into one transaction: a bigger one holds the counters longer, and a duplicate in it costs a rerun of the rest. */
export const MAX_BATCH = 100;

interface Waiting {
  write: EnrolmentWrite;
  /** The caller's actor: the batch runs in the context of whoever started the lane, not of each caller. */
  actor: Actor;
  resolve: (record: EnrolmentRecord) => void;
  reject: (error: unknown) => void;
}

/** The enrolments waiting for the next transaction; `draining` while one runs. */
const lane: { waiting: Waiting[]; draining: boolean } = { waiting: [], draining: false };

/** Writes one enrolment with its counters; resolves with the stored record once its transaction has committed. */
export function writeEnrolment(write: EnrolmentWrite): Promise<EnrolmentRecord> {
  // refused here, before it waits, when nobody answers for it
  const actor = requireActor('enrolments');
  return new Promise((resolve, reject) => {
    lane.waiting.push({ write, actor, resolve, reject });
    if (!lane.draining) void drain();
  });
}

/** Every enrolment write of a campaign moves its province's counter: they queue rather than conflict. */
export function counterQueue(campaign: Types.ObjectId | string): string {
  return `counters:${String(campaign)}`;
}

async function drain(): Promise<void> {
  lane.draining = true;
  while (lane.waiting.length > 0) await commitBatch(lane.waiting.splice(0, MAX_BATCH));
  lane.draining = false;
}

/** Never throws: every waiting caller is answered. */
async function commitBatch(batch: Waiting[]): Promise<void> {
  // answered only once the rest has committed: the record it collides with may be one of the same batch
  const duplicates: { waiting: Waiting; err: unknown }[] = [];
  try {
    while (batch.length > 1) {
      try {
        const records = await commitTogether(batch);
        batch.forEach((w, i) => w.resolve(records[i]!));
        return;
      } catch (err) {
        const duplicate = duplicateAt(err);
        if (duplicate === null || duplicate >= batch.length) break;
        duplicates.push({ waiting: batch[duplicate]!, err });
        batch = batch.filter((_, i) => i !== duplicate);
      }
    }
    // one left, or the transaction itself was refused: each is tried alone and answered for itself
    for (const waiting of batch) {
      try {
        waiting.resolve((await commitTogether([waiting]))[0]!);
      } catch (err) {
        waiting.reject(err);
      }
    }
  } finally {
    for (const { waiting, err } of duplicates) waiting.reject(err);
  }
}

/** The position in the batch of the enrolment an ordered insert stopped at on a duplicate key, if that is why it failed. */
function duplicateAt(err: unknown): number | null {
  const e = err as { code?: number; writeErrors?: { index: number; code: number }[] | { index: number; code: number } };
  const first = Array.isArray(e?.writeErrors) ? e.writeErrors[0] : e?.writeErrors;
  return e?.code === 11000 && first?.code === 11000 ? first.index : null;
}

/** The enrolments and their counters in one transaction. */
async function commitTogether(batch: Waiting[]): Promise<EnrolmentRecord[]> {
  const writes = batch.map((w) => w.write);
  return inTransaction(
    async (session) => {
      // the input was read and checked by the service: the driver writes it as it is, Mongoose would cast it again
      const records = writes.map(({ enrolment }) => ({ _id: new Types.ObjectId(), ...enrolment }) satisfies EnrolmentRecord);
      await Enrolment.collection.insertMany(records, { session, ordered: true });
      // written with the driver, past the audit plugin: their creation is recorded here, in the same transaction, each by its own caller
      await recordAudit(session, records.map((record, i) => ({ action: 'create', subject: 'enrolments', documentId: String(record._id), before: null, after: record, actor: batch[i]!.actor })));
      await countEnrolments(
        writes.map(({ enrolment, place }) => ({ campaignId: enrolment.campaign, place, logged: 1, verified: 0, online: enrolment.channel === 'online' ? 1 : 0, at: enrolment.createdAt })),
        session,
      );
      return records;
    },
    { queue: writes.map(({ enrolment }) => counterQueue(enrolment.campaign)) },
  );
}
