import { isValidObjectId } from 'mongoose';
import { JobRun, type JobRunRecord } from '../../models/job-run.model.js';
import type { JobDefinition } from '../../jobs/runner.js';
import { JOBS, sharedScheduler } from '../../jobs/scheduler.js';
import type { AuthUser } from '../auth/scope.js';
import type { Config } from '../config.js';
import { AppError, notFound } from '../errors/app-error.js';

export interface JobSummary {
  name: string;
  schedule: string;
  perProvince: boolean;
  lastRun: JobRunRecord | null;
}

/**
 * THE jobs wall: a governor's office sees and starts the jobs run per province, for its own province only; the
 * installation administrator the installation-wide ones (counter rebuild). Anyone else sees none.
 */
function jobsOf(actor: AuthUser): readonly JobDefinition[] {
  if (actor.role === 'governor-office') return JOBS.filter((job) => job.perProvince);
  if (actor.role === 'installation-admin') return JOBS.filter((job) => !job.perProvince);
  return [];
}

/** The run records `actor` may read: of their jobs, and of their province when the job runs per province. */
function runsOf(actor: AuthUser, job?: string): Record<string, unknown> {
  const names = jobsOf(actor).map((j) => j.name);
  const jobFilter = { job: job === undefined ? { $in: names } : names.includes(job) ? job : { $in: [] } };
  return actor.role === 'governor-office' ? { ...jobFilter, province: actor.province } : { ...jobFilter, province: null };
}

/** The jobs `actor` may see, each with its schedule and latest run. */
export async function listJobs(actor: AuthUser): Promise<JobSummary[]> {
  return Promise.all(
    jobsOf(actor).map(async (job) => ({
      name: job.name,
      schedule: job.schedule,
      perProvince: Boolean(job.perProvince),
      lastRun: await JobRun.findOne(runsOf(actor, job.name)).sort({ startedAt: -1 }).lean<JobRunRecord>(),
    })),
  );
}

/** The latest runs `actor` may see (of every job of theirs, or of one), newest first. */
export async function listRuns(actor: AuthUser, options: { job?: string; limit?: number } = {}): Promise<JobRunRecord[]> {
  return JobRun.find(runsOf(actor, options.job))
    .sort({ startedAt: -1, _id: -1 })
    .limit(options.limit ?? 50)
    .lean<JobRunRecord[]>();
}

/** One run; another province's run, or one of a job the actor does not see, answers 404 like an unknown id. */
export async function getRun(actor: AuthUser, id: string): Promise<JobRunRecord> {
  const run = isValidObjectId(id) ? await JobRun.findOne({ _id: id, ...runsOf(actor) }).lean<JobRunRecord>() : null;
  if (!run) throw notFound();
  return run;
}

/**
 * Starts a run of `name` now, for `actor` (for their province when the job runs per province), in this instance;
 * it goes on in the background. Refused with 409 while that run goes on anywhere (a run-now is never queued behind
 * a running one, nor run beside it); a job the actor does not see answers 404.
 */
export async function runNow(config: Config, name: string, actor: AuthUser): Promise<{ runId: string }> {
  const job = jobsOf(actor).find((j) => j.name === name);
  if (!job) throw new AppError('unknownJob', 'jobs.unknown', 404);
  const result = await sharedScheduler(config).runNow(job, actor.username, job.perProvince ? { province: actor.province } : {});
  if (!result.started) throw new AppError('jobRunning', 'jobs.alreadyRunning', 409);
  return { runId: result.runId };
}

/** A run as the API shows it. */
export function runJson(run: JobRunRecord) {
  return {
    id: String(run._id),
    job: run.job,
    ...(run.province ? { province: run.province } : {}),
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
