import mongoose, { Schema } from 'mongoose';

/**
 * At most one run of each job at a time across every application instance: the document `{ _id: <job> }` is the
 * lock, held by `owner` for `runId` until `leaseUntil`. Taking it is one upsert that matches only an expired lock,
 * so while the lock is live the upsert collides with the existing `_id` (E11000) and the taker is refused. The
 * holder renews the lease while it works; a holder that dies lets the lease run out and the lock becomes free.
 */
const jobLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    runId: { type: Schema.Types.ObjectId, required: true },
    leaseUntil: { type: Date, required: true },
  },
  { collection: 'job_locks', versionKey: false },
);

export interface JobLockRecord {
  _id: string;
  owner: string;
  runId: mongoose.Types.ObjectId;
  leaseUntil: Date;
}

export const JobLock = mongoose.model('JobLock', jobLockSchema);
