import { JobRun } from '../../models/job-run.model.js';
import { migrateAgencyRegister } from '../committees/agencies.service.js';
import { logger } from '../logger.js';

/**
 * The start-up steps that bring a database written by an earlier version up to this one. Each is idempotent (a
 * second run finds nothing to do), so every instance runs them at start, and `npm run migrate` runs them alone.
 */
export async function runMigrations(): Promise<void> {
  const agenciesCopied = await migrateAgencyRegister();
  const jobRunIndexDropped = await dropJobRunTickIndex();
  if (agenciesCopied || jobRunIndexDropped) logger.info({ agenciesCopied, jobRunIndexDropped }, 'database migrated');
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
