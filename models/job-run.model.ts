import mongoose, { Schema, type Types } from 'mongoose';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

/**
 * One run of a scheduled job (jobs/scheduler.ts). `scheduledFor` is the tick of the schedule (or the moment of a
 * run-now request) and is also the run's clock: a resumed run computes with the same "now" as the first attempt,
 * so it names the same reminders. A job run per province has a run per province (`province`); an installation-wide
 * job's runs have none. `{ job, province, scheduledFor }` is unique: when several instances fire the same tick,
 * one record is created and the others find it. `phasesDone` is the checkpoint: a run picked up again after its
 * process died skips the phases it finished, and within a phase the outbox's dedupe keys skip finished items.
 */
const jobRunSchema = new Schema(
  {
    job: { type: String, required: true },
    scheduledFor: { type: Date, required: true },
    /** The province the run worked for; absent for an installation-wide job. */
    province: { type: String, default: undefined, match: /^\d{2}$/ },
    trigger: { type: String, enum: ['schedule', 'manual'], required: true },
    requestedBy: { type: String, default: undefined },
    status: { type: String, enum: JOB_RUN_STATUSES, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: undefined },
    /** Renewed while the run works; a `running` run whose lease has passed was abandoned by a dead process. */
    leaseUntil: { type: Date, required: true },
    owner: { type: String, required: true },
    attempts: { type: Number, default: 1 },
    counts: { type: Map, of: Number, default: () => new Map() },
    phasesDone: { type: [String], default: [] },
    error: { type: String, default: undefined },
  },
  { collection: 'job_runs', versionKey: false },
);
jobRunSchema.index({ job: 1, province: 1, scheduledFor: 1 }, { unique: true });
jobRunSchema.index({ province: 1, startedAt: -1 });
jobRunSchema.index({ startedAt: -1 });
jobRunSchema.index({ status: 1, leaseUntil: 1 });

export interface JobRunRecord {
  _id: Types.ObjectId;
  job: string;
  scheduledFor: Date;
  province?: string;
  trigger: 'schedule' | 'manual';
  requestedBy?: string;
  status: JobRunStatus;
  startedAt: Date;
  finishedAt?: Date;
  leaseUntil: Date;
  owner: string;
  attempts: number;
  counts: Record<string, number>;
  phasesDone: string[];
  error?: string;
}

export const JobRun = mongoose.model('JobRun', jobRunSchema);
