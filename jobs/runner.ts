import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Types } from 'mongoose';
import { JobLock } from '../models/job-lock.model.js';
import { JobRun, type JobRunRecord } from '../models/job-run.model.js';
import type { Config } from '../server/config.js';
import { logger } from '../server/logger.js';
import { runAs } from '../server/audit/context.js';

/** What a job gets: its clock, the settings, counters for the run record, and checkpointed phases. */
export interface JobContext {
  readonly runId: string;
  /** The run's "now": the scheduled tick (or the run-now request), the same again when a dead run is resumed. */
  readonly now: Date;
  readonly config: Config;
  /** The province this run works for (jobs with `perProvince`); undefined for an installation-wide job. */
  readonly province: string | undefined;
  /** Adds to a counter shown with the run (`queued`, `alreadyQueued`, `noAddress`, …). */
  count(name: string, by?: number): void;
  /**
   * Runs `work` unless an earlier attempt of this run finished it. Its counts are saved with the checkpoint, in one
   * write, so a resumed run neither redoes a finished phase nor counts it twice. A phase cut short is done again;
   * each of its items must therefore be idempotent (the outbox's dedupe keys make queuing mail so).
   */
  phase(name: string, work: () => Promise<void>): Promise<void>;
}

export interface JobDefinition {
  name: string;
  /** node-cron expression, read in Asia/Tehran. */
  schedule: string;
  /**
   * Runs once per province (each province its own run, lock and run record; its governor's office sees and starts
   * only its own). Otherwise the job is installation-wide: one run for everyone, seen by the installation admin only.
   */
  perProvince?: boolean;
  run(ctx: JobContext): Promise<void>;
}

export interface RunRequest {
  trigger: 'schedule' | 'manual';
  scheduledFor: Date;
  requestedBy?: string;
  /** Required for a `perProvince` job, refused for any other. */
  province?: string;
}

export type StartResult =
  | { started: true; runId: string; resumed: boolean; done: Promise<void> }
  /** `running`: the job is running now (this run or another); `alreadyRan`: this tick was run by another instance. */
  | { started: false; reason: 'running' | 'alreadyRan'; runId?: string };

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Starts runs of jobs under the MongoDB lock and keeps their records. One runner per application instance; `owner`
 * tells instances apart in the lock and the run records.
 */
export class JobRunner {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly config: Config,
    private readonly leaseMs = 60_000,
  ) {}

  /**
   * One run of `job` for `request.scheduledFor`, if no run of the job is going on anywhere and this tick was not run
   * already; a run whose process died (lease passed) is resumed from its checkpoint. Resolves once the run has
   * started (its record exists); `done` resolves when it has finished.
   */
  async start(job: JobDefinition, request: RunRequest): Promise<StartResult> {
    if (Boolean(job.perProvince) !== (request.province !== undefined)) {
      throw new Error(`job ${job.name} is ${job.perProvince ? 'run per province: name the province' : 'installation-wide: it takes no province'}`);
    }
    const lock = lockName(job.name, request.province);
    const runId = new Types.ObjectId();
    if (!(await this.takeLock(lock, runId))) {
      const holder = await JobLock.findById(lock).lean();
      return { started: false, reason: 'running', ...(holder ? { runId: String(holder.runId) } : {}) };
    }
    try {
      const run = await this.createOrResume(job.name, runId, request);
      if (!run) {
        await this.releaseLock(lock, runId);
        const existing = await JobRun.findOne({ job: job.name, province: request.province ?? null, scheduledFor: request.scheduledFor }).lean();
        return { started: false, reason: existing?.status === 'running' ? 'running' : 'alreadyRan', ...(existing ? { runId: String(existing._id) } : {}) };
      }
      if (!run._id.equals(runId)) await JobLock.updateOne({ _id: lock, runId }, { $set: { runId: run._id } });
      return { started: true, runId: String(run._id), resumed: run.attempts > 1, done: this.execute(job, run, lock) };
    } catch (err) {
      await this.releaseLock(lock, runId);
      throw err;
    }
  }

  /** Runs whose process died: `running`, lease passed. The scheduler resumes them. */
  async abandonedRuns(now = new Date()): Promise<JobRunRecord[]> {
    return JobRun.find({ status: 'running', leaseUntil: { $lt: now } }).lean<JobRunRecord[]>();
  }

  private async takeLock(job: string, runId: Types.ObjectId): Promise<boolean> {
    const now = new Date();
    try {
      await JobLock.findOneAndUpdate(
        { _id: job, leaseUntil: { $lt: now } },
        { $set: { owner: this.owner, runId, leaseUntil: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private async releaseLock(job: string, runId: Types.ObjectId): Promise<void> {
    await JobLock.deleteOne({ _id: job, runId });
  }

  /** A new run record for this tick, or the abandoned one taken over; null when the tick already has a live or finished run. */
  private async createOrResume(job: string, runId: Types.ObjectId, request: RunRequest): Promise<JobRunRecord | null> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    try {
      const created = await JobRun.create({
        _id: runId,
        job,
        scheduledFor: request.scheduledFor,
        ...(request.province ? { province: request.province } : {}),
        trigger: request.trigger,
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        status: 'running',
        startedAt: now,
        leaseUntil,
        owner: this.owner,
      });
      return created.toObject() as unknown as JobRunRecord;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return JobRun.findOneAndUpdate(
      { job, province: request.province ?? null, scheduledFor: request.scheduledFor, status: 'running', leaseUntil: { $lt: now } },
      { $set: { owner: this.owner, leaseUntil }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean<JobRunRecord>();
  }

  private async execute(job: JobDefinition, run: JobRunRecord, lock: string): Promise<void> {
    const owned = { _id: run._id, owner: this.owner };
    let lost = false;
    const heartbeat = setInterval(() => {
      const leaseUntil = new Date(Date.now() + this.leaseMs);
      void Promise.all([JobLock.updateOne({ _id: lock, runId: run._id }, { $set: { leaseUntil } }), JobRun.updateOne(owned, { $set: { leaseUntil } })])
        .then(([lock]) => {
          if (lock.matchedCount === 0) lost = true;
        })
        .catch((err: unknown) => logger.warn({ err, job: job.name }, 'job lease renewal failed'));
    }, this.leaseMs / 3);

    const phasesDone = new Set(run.phasesDone);
    let pending: Record<string, number> = {};
    const flush = (extra: Record<string, unknown> = {}) => {
      const inc = Object.fromEntries(Object.entries(pending).map(([name, n]) => [`counts.${name}`, n]));
      pending = {};
      return JobRun.updateOne(owned, { ...(Object.keys(inc).length ? { $inc: inc } : {}), ...extra });
    };
    const ctx: JobContext = {
      runId: String(run._id),
      now: run.scheduledFor,
      config: this.config,
      province: run.province,
      count(name, by = 1) {
        pending[name] = (pending[name] ?? 0) + by;
      },
      async phase(name, work) {
        if (phasesDone.has(name)) return;
        if (lost) throw new Error('the job lock was lost (lease expired while working)');
        pending = {};
        await work();
        await flush({ $addToSet: { phasesDone: name } });
        phasesDone.add(name);
      },
    };

    try {
      await runAs({ kind: 'job', job: job.name, runId: String(run._id) }, () => job.run(ctx));
      await flush({ $set: { status: 'succeeded', finishedAt: new Date() } });
    } catch (err) {
      logger.error({ err, job: job.name, runId: String(run._id) }, 'job failed');
      await flush({ $set: { status: 'failed', finishedAt: new Date(), error: err instanceof Error ? err.message : String(err) } });
    } finally {
      clearInterval(heartbeat);
      await this.releaseLock(lock, run._id);
    }
  }
}

/** One lock per job, or per job and province for a job run per province (provinces do not wait for each other). */
function lockName(job: string, province: string | undefined): string {
  return province === undefined ? job : `${job}:${province}`;
}
