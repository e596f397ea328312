import cron, { type ScheduledTask } from 'node-cron';
import { Campaign } from '../models/campaign.model.js';
import { Committee } from '../models/committee.model.js';
import type { Config } from '../server/config.js';
import { logger } from '../server/logger.js';
import { TEHRAN } from '../server/shared/jalali.js';
import { startOutboxDelivery } from './deliver-outbox.js';
import { approvalRemindersJob } from './approval-reminders.js';
import { auditRetentionJob } from './audit-retention.js';
import { monthlyReportJob } from './monthly-report.js';
import { rebuildCountersJob } from './rebuild-counters.js';
import { remindersJob } from './reminders.js';
import { JobRunner, type JobDefinition, type StartResult } from './runner.js';

/** Every scheduled job of the application; the jobs page and the API list them in this order. */
export const JOBS: readonly JobDefinition[] = [remindersJob, monthlyReportJob, rebuildCountersJob, auditRetentionJob, approvalRemindersJob];

export function findJob(name: string, jobs: readonly JobDefinition[] = JOBS): JobDefinition | undefined {
  return jobs.find((job) => job.name === name);
}

/** The provinces a job run per province has work in: those with a campaign or a committee. */
export async function provincesAtWork(): Promise<string[]> {
  const [campaigns, committees] = await Promise.all([Campaign.distinct('province').setOptions({ scope: 'system' }), Committee.distinct('province').setOptions({ scope: 'system' })]);
  return [...new Set([...campaigns, ...committees] as string[])].sort();
}

/** How often an instance looks for runs abandoned by a dead process. */
const RECOVERY_INTERVAL_MS = 60_000;

/**
 * The jobs of one application instance on node-cron in Tehran time. Every instance schedules every job; the
 * runner's lock and the run record's unique `{ job, scheduledFor }` make each tick run once between them.
 */
export class Scheduler {
  readonly runner: JobRunner;
  private tasks: ScheduledTask[] = [];
  private recovery: NodeJS.Timeout | undefined;

  constructor(
    config: Config,
    readonly jobs: readonly JobDefinition[] = JOBS,
    options: { leaseMs?: number } = {},
  ) {
    this.runner = new JobRunner(config, options.leaseMs);
  }

  start(): void {
    for (const job of this.jobs) {
      this.tasks.push(cron.schedule(job.schedule, (context) => this.fire(job, context.date), { timezone: TEHRAN, name: job.name }));
    }
    this.recovery = setInterval(() => void this.resumeAbandoned(), RECOVERY_INTERVAL_MS);
    this.recovery.unref();
    void this.resumeAbandoned();
  }

  async stop(): Promise<void> {
    clearInterval(this.recovery);
    await Promise.all(this.tasks.map((task) => task.destroy()));
    this.tasks = [];
  }

  /**
   * A tick of `job`'s schedule (to the second, so every instance names the same tick): one run, or for a job run
   * per province one run for each province at work, one after the other. One result per run.
   */
  async fire(job: JobDefinition, at: Date): Promise<StartResult[]> {
    const scheduledFor = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const results: StartResult[] = [];
    try {
      for (const province of job.perProvince ? await provincesAtWork() : [undefined]) {
        const result = await this.runner.start(job, { trigger: 'schedule', scheduledFor, ...(province ? { province } : {}) });
        if (result.started) await result.done;
        results.push(result);
      }
      return results;
    } catch (err) {
      logger.error({ err, job: job.name }, 'scheduled run could not start');
      throw err;
    }
  }

  /** Run-now, for `province` when the job runs per province: refused (not queued) while that run goes on anywhere. */
  async runNow(job: JobDefinition, requestedBy: string, options: { province?: string; now?: Date } = {}): Promise<StartResult> {
    return this.runner.start(job, { trigger: 'manual', scheduledFor: options.now ?? new Date(), requestedBy, ...(options.province ? { province: options.province } : {}) });
  }

  /** Picks up every run whose process died, from its checkpoint. */
  async resumeAbandoned(): Promise<number> {
    let resumed = 0;
    try {
      for (const run of await this.runner.abandonedRuns()) {
        const job = findJob(run.job, this.jobs);
        if (!job) continue;
        const result = await this.runner.start(job, {
          trigger: run.trigger,
          scheduledFor: run.scheduledFor,
          ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
          ...(run.province ? { province: run.province } : {}),
        });
        if (result.started) {
          resumed++;
          await result.done;
        }
      }
    } catch (err) {
      logger.error({ err }, 'resuming abandoned job runs failed');
    }
    return resumed;
  }
}

let shared: Scheduler | undefined;

/** The instance's scheduler, created on first use (the web handlers' run-now uses it even with JOBS_ENABLED=no). */
export function sharedScheduler(config: Config): Scheduler {
  shared ??= new Scheduler(config);
  return shared;
}

/**
 * What an application instance runs besides serving pages: the scheduler and the outbox delivery loop, unless
 * JOBS_ENABLED=no (e.g. web-only instances beside a worker). Several instances may all run them.
 */
export function startBackgroundWork(config: Config): { stop(): Promise<void> } {
  if (config.jobsEnabled === 'no') return { stop: async () => {} };
  const scheduler = sharedScheduler(config);
  scheduler.start();
  const delivery = startOutboxDelivery({ config });
  logger.info({ jobs: scheduler.jobs.map((j) => `${j.name} (${j.schedule})`), smtp: Boolean(config.smtpUrl) }, 'scheduler and outbox delivery started');
  return {
    async stop() {
      await Promise.all([scheduler.stop(), delivery.stop()]);
    },
  };
}
