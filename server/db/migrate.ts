import { JobRun } from '../../models/job-run.model.js';
import { OutboxMessage } from '../../models/outbox-message.model.js';
import { Reminder } from '../../models/reminder.model.js';
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
  if (agenciesCopied || jobRunIndexDropped || provinceKeysIndexed) logger.info({ agenciesCopied, jobRunIndexDropped, provinceKeysIndexed }, 'database migrated');
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
