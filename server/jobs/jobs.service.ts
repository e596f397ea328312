import { isValidObjectId } from 'mongoose';
import { JobRun, type JobRunRecord } from '../../models/job-run.model.js';
import { findJob, JOBS, sharedScheduler } from '../../jobs/scheduler.js';
import type { AuthUser } from '../auth/scope.js';
import type { Config } from '../config.js';
import { AppError, notFound } from '../errors/app-error.js';

export interface JobSummary {
  name: string;
  schedule: string;
  lastRun: JobRunRecord | null;
}

/** Every job with its schedule and latest run. */
export async function listJobs(): Promise<JobSummary[]> {
  return Promise.all(
    JOBS.map(async (job) => ({
      name: job.name,
      schedule: job.schedule,
      lastRun: await JobRun.findOne({ job: job.name }).sort({ startedAt: -1 }).lean<JobRunRecord>(),
    })),
  );
}

/** The latest runs of every job (or of one), newest first. */
export async function listRuns(options: { job?: string; limit?: number } = {}): Promise<JobRunRecord[]> {
  return JobRun.find(options.job ? { job: options.job } : {})
    .sort({ startedAt: -1, _id: -1 })
    .limit(options.limit ?? 50)
    .lean<JobRunRecord[]>();
}

export async function getRun(id: string): Promise<JobRunRecord> {
  const run = isValidObjectId(id) ? await JobRun.findById(id).lean<JobRunRecord>() : null;
  if (!run) throw notFound();
  return run;
}

/**
 * Starts a run of `name` now, for `actor`, in this instance; it goes on in the background. Refused with 409 while
 * the job runs anywhere (a run-now is never queued behind a running one, nor run beside it).
 */
export async function runNow(config: Config, name: string, actor: AuthUser): Promise<{ runId: string }> {
  const job = findJob(name);
  if (!job) throw new AppError('unknownJob', 'jobs.unknown', 404);
  const result = await sharedScheduler(config).runNow(job, actor.username);
  if (!result.started) throw new AppError('jobRunning', 'jobs.alreadyRunning', 409);
  return { runId: result.runId };
}

/** A run as the API shows it. */
export function runJson(run: JobRunRecord) {
  return {
    id: String(run._id),
    job: run.job,
    scheduledFor: run.scheduledFor,
    trigger: run.trigger,
    ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    attempts: run.attempts,
    counts: run.counts ?? {},
    phasesDone: run.phasesDone,
    ...(run.error ? { error: run.error } : {}),
  };
}
