import mongoose, { Schema, type Types } from 'mongoose';
import type { JalaliDate } from '../server/shared/jalali.js';
import { historySchema, type HistoryEntry } from './meeting.model.js';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

export const RESOLUTION_STATUSES = ['open', 'in-progress', 'done', 'cancelled'] as const;
export type ResolutionStatus = (typeof RESOLUTION_STATUSES)[number];

export const TARGET_GROUPS = ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] as const;

const jalaliDate = { year: { type: Number, required: true }, month: { type: Number, required: true }, day: { type: Number, required: true } };

/**
 * A resolution (مصوبه) of a meeting, and the commitment it puts on its responsible agency.
 * `deadline` is the spec of server/committees/deadlines.ts (a date, "within N months/days" of `communicatedOn`,
 * or monthly, optionally until a date); `dueOn` is the one-off due date it gives (none for monthly ones, whose
 * instances are counted per Jalali month from the spec). `status` is what people recorded; overdue is never
 * stored, it is derived from the dates on the day asked. `deliveries` are the periods reported done: one entry
 * (`once`) for a one-off, one per `YYYY-MM` for a recurrence.
 */
const resolutionSchema = new Schema(
  {
    /** The meeting that passed it; none for an agreement's clause, whose commitment comes from the agreement. */
    meeting: {
      type: Schema.Types.ObjectId,
      ref: 'Meeting',
      required(this: { agreement?: unknown }) {
        return !this.agreement;
      },
    },
    /** For an agreement's clause (models/agreement.model.ts): the agreement; `number` is then the clause's number. */
    agreement: { type: Schema.Types.ObjectId, ref: 'Agreement', default: undefined },
    /** The field-problem topics it addresses (server/field-problems/), so the topic trend shows whether it helped. */
    topics: { type: [String], default: undefined },
    committee: { type: Schema.Types.ObjectId, ref: 'Committee', required: true },
    number: { type: Number, required: true, min: 1 },
    text: { type: String, required: true, trim: true },
    agency: { type: String, required: true },
    collaborators: { type: [String], default: [] },
    targetGroup: { type: String, enum: TARGET_GROUPS, default: undefined },
    policyAxis: { type: String, default: undefined, trim: true },
    deadline: {
      type: { type: String, enum: ['date', 'within', 'monthly'], required: true },
      date: { type: new Schema(jalaliDate, { _id: false }), default: undefined },
      months: { type: Number, default: undefined },
      days: { type: Number, default: undefined },
      until: { type: new Schema(jalaliDate, { _id: false }), default: undefined },
    },
    communicatedOn: { type: new Schema(jalaliDate, { _id: false }), required: true },
    dueOn: { type: new Schema(jalaliDate, { _id: false }), default: null },
    status: { type: String, enum: RESOLUTION_STATUSES, default: 'open' },
    progress: { type: Number, default: 0, min: 0, max: 100 },
    deliveries: { type: [{ _id: false, period: { type: String, required: true }, doneOn: new Schema(jalaliDate, { _id: false }) }], default: [] },
    /** The quotas it created (resolutions 2 and 5 of seed 002): holder level, and the campaign once one exists. */
    quotaLink: { holderLevel: { type: String, default: undefined }, campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', default: undefined } },
    lastUpdateAt: { type: Date, default: undefined },
    history: { type: [historySchema], default: [] },
  },
  { collection: 'resolutions', timestamps: true, versionKey: false },
);
resolutionSchema.plugin(placeScoped);
resolutionSchema.plugin(audited, { ignore: ['history'] });
// numbered within their meeting, or within their agreement for clauses (one of the two is absent)
resolutionSchema.index({ province: 1, meeting: 1, agreement: 1, number: 1 }, { unique: true, name: 'number_in_meeting_or_agreement' });
resolutionSchema.index({ province: 1, agency: 1, status: 1 });
resolutionSchema.index({ committee: 1 });

export type DeadlineRecord =
  | { type: 'date'; date: JalaliDate }
  | { type: 'within'; months?: number; days?: number }
  | { type: 'monthly'; until?: JalaliDate };

export interface ResolutionRecord {
  _id: Types.ObjectId;
  meeting?: Types.ObjectId;
  agreement?: Types.ObjectId;
  topics?: string[];
  committee: Types.ObjectId;
  number: number;
  text: string;
  agency: string;
  collaborators: string[];
  targetGroup?: string;
  policyAxis?: string;
  deadline: DeadlineRecord;
  communicatedOn: JalaliDate;
  dueOn: JalaliDate | null;
  status: ResolutionStatus;
  progress: number;
  deliveries: { period: string; doneOn: JalaliDate }[];
  quotaLink?: { holderLevel?: string; campaign?: Types.ObjectId };
  lastUpdateAt?: Date;
  history: HistoryEntry[];
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const Resolution = mongoose.model('Resolution', resolutionSchema);
