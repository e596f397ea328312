import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import type { ProvincialReport } from '../server/reports/provincial-report.service.js';

/**
 * The monthly provincial progress report as it was when its month closed (jobs/monthly-report.ts): the figures
 * are frozen here, so last month's report keeps saying what it said even as enrolments and resolutions change.
 * One per (province, Jalali month); province-bound (placePath = [province]).
 */
const reportSnapshotSchema = new Schema(
  {
    month: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
    generatedAt: { type: Date, required: true },
    report: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'report_snapshots', versionKey: false, minimize: false },
);
reportSnapshotSchema.plugin(placeScoped);
reportSnapshotSchema.index({ province: 1, month: 1 }, { unique: true });

export interface ReportSnapshotRecord {
  _id: Types.ObjectId;
  month: string;
  generatedAt: Date;
  report: ProvincialReport;
  province: string;
  placePath: string[];
}

export const ReportSnapshot = mongoose.model('ReportSnapshot', reportSnapshotSchema);
