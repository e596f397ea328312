import mongoose, { Schema, type Types } from 'mongoose';
import { PLACE_LEVELS, type PlaceLevel } from './place.model.js';
import { placeScoped } from './plugins/place-scoped.js';

/**
 * Maintained progress of one place in one campaign: the enrolments logged and verified at the place and
 * everything under it. Written only by server/quotas/progress.service.ts (`countEnrolment`, inside the
 * enrolment's own transaction, and the rebuild job), read by the dashboard and the progress API, so no page
 * ever counts enrolments. `byMonth` keys are Jalali months (`YYYY-MM`) for the trend.
 * `logged` counts every enrolment not rejected; `verified` those of them a fund manager verified; `byMonth`'s
 * `online` those of them made online (the dashboard's online share).
 */
const progressCounterSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    placeCode: { type: String, required: true },
    level: { type: String, enum: PLACE_LEVELS, required: true },
    logged: { type: Number, default: 0 },
    verified: { type: Number, default: 0 },
    byMonth: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { collection: 'progress_counters', versionKey: false, minimize: false },
);
progressCounterSchema.plugin(placeScoped);
progressCounterSchema.index({ province: 1, campaign: 1, placeCode: 1 }, { unique: true });

export interface MonthCount {
  logged: number;
  verified: number;
  /** Of `logged`, those made online; absent on months counted before the channel was (the rebuild fills it in). */
  online?: number;
}

export interface ProgressCounterRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  placeCode: string;
  level: PlaceLevel;
  province: string;
  placePath: string[];
  logged: number;
  verified: number;
  byMonth: Record<string, MonthCount>;
}

export const ProgressCounter = mongoose.model('ProgressCounter', progressCounterSchema);
