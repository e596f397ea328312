import type { ClientSession } from 'mongoose';
import { OutboxMessage, OUTBOX_STATUSES, type OutboxAttachment, type OutboxMessageRecord, type OutboxStatus } from '../../models/outbox-message.model.js';
import type { AuthUser } from '../auth/scope.js';
import { COUNTRY } from '../audit/record.js';

/** The province of installation-level mail (no province's work: the installation's own, or from before mail was walled). */
export const INSTALLATION_MAIL_PROVINCE = COUNTRY.province;

export interface NewMessage {
  to: string;
  recipient?: unknown;
  /** The province whose work the message carries: its governor's office may read it. */
  province: string;
  subject: string;
  html: string;
  text: string;
  attachments?: OutboxAttachment[];
  kind: string;
  /** Names what the message is about; a second message with the same key is not queued. */
  dedupeKey: string;
}

/**
 * Puts a message in the outbox for delivery (jobs/deliver-outbox.ts); never sends inline. Returns false when a
 * message with the same dedupe key is already there. An upsert rather than an insert, so a duplicate is not an
 * error and does not abort the caller's transaction.
 */
export async function queueMessage(message: NewMessage, session?: ClientSession): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await OutboxMessage.updateOne(
        { province: message.province, dedupeKey: message.dedupeKey },
        { $setOnInsert: { ...message, status: 'pending', attempts: 0, nextAttemptAt: new Date(0) } },
        { upsert: true, ...(session ? { session } : {}) },
      );
      return result.upsertedCount === 1;
    } catch (err) {
      // two writers upserting the same new key at once: one inserts, the other collides once and then finds it
      if ((err as { code?: number }).code === 11000 && attempt === 0 && !session) continue;
      throw err;
    }
  }
}

/** `queueMessage` for many at once (one round trip); returns how many were new. */
export async function queueMessages(messages: readonly NewMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const result = await OutboxMessage.bulkWrite(
    messages.map((message) => ({
      updateOne: { filter: { province: message.province, dedupeKey: message.dedupeKey }, update: { $setOnInsert: { ...message, status: 'pending', attempts: 0, nextAttemptAt: new Date(0) } }, upsert: true },
    })),
    { ordered: false },
  );
  return result.upsertedCount;
}

/**
 * THE outbox wall, for every reader of mail (the outbox API, the jobs page, the development mailbox): a governor's
 * office reads its own province's mail, the installation administrator the installation-level mail (province 00)
 * and mail addressed to them, everyone else only mail addressed to them. Nobody reads everything.
 */
export function readableBy(reader: Pick<AuthUser, 'id' | 'role' | 'province'>): Record<string, unknown> {
  if (reader.role === 'governor-office') return { province: reader.province };
  if (reader.role === 'installation-admin') return { $or: [{ province: INSTALLATION_MAIL_PROVINCE }, { recipient: reader.id }] };
  return { recipient: reader.id };
}

/** The newest messages `reader` may read, optionally of one status (the governor's office's outbox view). */
export async function listMessages(reader: AuthUser, options: { status?: OutboxStatus; limit?: number } = {}): Promise<OutboxMessageRecord[]> {
  return OutboxMessage.find({ ...readableBy(reader), ...(options.status ? { status: options.status } : {}) })
    .sort({ createdAt: -1, _id: -1 })
    .limit(options.limit ?? 100)
    .lean<OutboxMessageRecord[]>();
}

/** How many of the messages `reader` may read are in each state. */
export async function statusCounts(reader: AuthUser): Promise<Record<OutboxStatus, number>> {
  const rows = await OutboxMessage.aggregate<{ _id: OutboxStatus; n: number }>([{ $match: readableBy(reader) }, { $group: { _id: '$status', n: { $sum: 1 } } }]);
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const row of rows) counts[row._id] = row.n;
  return counts;
}
