import { JobRun } from '../../models/job-run.model.js';
import { OutboxMessage } from '../../models/outbox-message.model.js';
import { Reminder } from '../../models/reminder.model.js';
import { Resolution } from '../../models/resolution.model.js';
import { User } from '../../models/user.model.js';
import { INSTALLATION_MAIL_PROVINCE } from '../outbox/outbox.service.js';
import { migrateAgencyRegister } from '../committees/agencies.service.js';
import { logger } from '../logger.js';

/**
 * The start-up steps that bring a database written by an earlier version up to this one. Each is idempotent (a
 * second run finds nothing to do), so every instance runs them at start, and `npm run migrate` runs them alone.
 */
export async function runMigrations(): Promise<void> {
  const agenciesCopied = await migrateAgencyRegister();
  const jobRunIndexDropped = await dropJobRunTickIndex();
  const provinceKeysIndexed = await dropUnprovincedKeyIndexes();
  const outboxProvinced = await provinceOlderOutboxMessages();
  if (agenciesCopied || jobRunIndexDropped || provinceKeysIndexed || outboxProvinced.fromRecipient || outboxProvinced.installationLevel) {
    logger.info({ agenciesCopied, jobRunIndexDropped, provinceKeysIndexed, outboxProvinced }, 'database migrated');
  }
  if (await dropMeetingNumberIndex()) logger.info({ index: OLD_RESOLUTION_NUMBER_INDEX }, 'database migrated: old resolution index dropped');
}

/**
 * Job runs were unique per `{ job, scheduledFor }`; a job run per province has one run per province for the same
 * tick, so that index gives way to `{ job, province, scheduledFor }` (declared on the model).
 */
async function dropJobRunTickIndex(): Promise<boolean> {
  const indexes = await JobRun.collection.indexes().catch(() => []);
  if (!indexes.some((index) => index.name === 'job_1_scheduledFor_1')) return false;
  await JobRun.collection.dropIndex('job_1_scheduledFor_1');
  return true;
}

/**
 * Reminders and outbox messages were unique by `key` / `dedupeKey` alone; both are per province now (sharded by
 * province), unique by `{ province, key }` / `{ province, dedupeKey }` (declared on the models), so the old
 * indexes give way; so does delivery's `{ status, nextAttemptAt }`, now `{ province, status, nextAttemptAt }`.
 * Returns how many were dropped.
 */
async function dropUnprovincedKeyIndexes(): Promise<number> {
  let dropped = 0;
  for (const [collection, name] of [
    [Reminder.collection, 'key_1'],
    [OutboxMessage.collection, 'dedupeKey_1'],
    [OutboxMessage.collection, 'status_1_nextAttemptAt_1'],
  ] as const) {
    const indexes = await collection.indexes().catch(() => []);
    if (!indexes.some((index) => index.name === name)) continue;
    await collection.dropIndex(name);
    dropped++;
  }
  return dropped;
}

/**
 * Outbox messages queued before mail was walled by province have none. A message for a user takes that user's
 * province (the governor's office of the province they work in may read it, as it would a new one); any other (an
 * invitation or report sent to an address, or for a user since removed) cannot be told apart by province, so it
 * becomes installation-level mail (province 00), which no governor's office reads and the installation administrator
 * does: nobody gains sight of another province's mail. Idempotent: a second run finds no message without a province.
 */
async function provinceOlderOutboxMessages(): Promise<{ fromRecipient: number; installationLevel: number }> {
  const outbox = OutboxMessage.collection;
  const missing = { province: null };
  const recipients = await outbox.distinct('recipient', { ...missing, recipient: { $ne: null } });
  let fromRecipient = 0;
  for (let start = 0; start < recipients.length; start += 1000) {
    const users = await User.find({ _id: { $in: recipients.slice(start, start + 1000) } }, { province: 1 }).setOptions({ scope: 'system' }).lean<{ _id: unknown; province: string }[]>();
    if (users.length === 0) continue;
    const result = await outbox.bulkWrite(users.map((user) => ({ updateMany: { filter: { ...missing, recipient: user._id }, update: { $set: { province: user.province } } } })), { ordered: false });
    fromRecipient += result.modifiedCount;
  }
  const { modifiedCount: installationLevel } = await outbox.updateMany(missing, { $set: { province: INSTALLATION_MAIL_PROVINCE } });
  return { fromRecipient, installationLevel };
}

const OLD_RESOLUTION_NUMBER_INDEX = 'province_1_meeting_1_number_1';

/**
 * Resolutions were numbered uniquely within their meeting; clauses of an agreement have no meeting, so under that
 * index the second agreement's clause 1 collided with the first's. `number_in_meeting_or_agreement` (declared on
 * the model) replaces it, and the old one is dropped where an earlier version left it.
 */
async function dropMeetingNumberIndex(): Promise<boolean> {
  const indexes = await Resolution.collection.indexes().catch(() => []);
  if (!indexes.some((index) => index.name === OLD_RESOLUTION_NUMBER_INDEX)) return false;
  await Resolution.collection.dropIndex(OLD_RESOLUTION_NUMBER_INDEX);
  return true;
}
