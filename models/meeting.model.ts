import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

export const MEETING_STATES = ['scheduled', 'held', 'minutes-approved', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

/** One line of a record's history: every change, with who made it and when (the overview's facts trace back here). */
export const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: String, required: true },
    byName: { type: String, required: true },
    action: { type: String, required: true },
    detail: { type: String, default: undefined },
  },
  { _id: false },
);

export interface HistoryEntry {
  at: Date;
  by: string;
  byName: string;
  action: string;
  detail?: string;
}

/**
 * A meeting of a committee: scheduled → held → minutes approved, or cancelled. `month` is the Jalali month
 * (`YYYY-MM`, Tehran) of `startsAt`, kept beside it so the compliance grid reads a year with one indexed query;
 * `sequence` is the calendar invitation's SEQUENCE, raised by every reschedule and by the cancellation.
 * Same place fields as its committee.
 */
const meetingSchema = new Schema(
  {
    committee: { type: Schema.Types.ObjectId, ref: 'Committee', required: true },
    startsAt: { type: Date, required: true },
    durationMinutes: { type: Number, default: 90, min: 1 },
    month: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
    location: { type: String, required: true, trim: true },
    agenda: { type: String, default: '', trim: true },
    state: { type: String, enum: MEETING_STATES, default: 'scheduled' },
    sequence: { type: Number, default: 0 },
    attendance: {
      type: [{ _id: false, name: { type: String, required: true }, agency: { type: String, default: undefined }, present: { type: Boolean, required: true } }],
      default: [],
    },
    /** How many resolutions it passed: the counter that numbers them. */
    resolutionCount: { type: Number, default: 0 },
    minutes: { type: String, default: undefined },
    heldAt: { type: Date, default: undefined },
    minutesApprovedAt: { type: Date, default: undefined },
    history: { type: [historySchema], default: [] },
  },
  { collection: 'meetings', timestamps: true, versionKey: false },
);
meetingSchema.plugin(placeScoped);
meetingSchema.plugin(audited, { ignore: ['history'] });
meetingSchema.index({ province: 1, committee: 1, month: 1 });
meetingSchema.index({ state: 1, startsAt: 1 });

export interface MeetingRecord {
  _id: Types.ObjectId;
  committee: Types.ObjectId;
  startsAt: Date;
  durationMinutes: number;
  month: string;
  location: string;
  agenda: string;
  state: MeetingState;
  sequence: number;
  attendance: { name: string; agency?: string; present: boolean }[];
  resolutionCount: number;
  minutes?: string;
  heldAt?: Date;
  minutesApprovedAt?: Date;
  history: HistoryEntry[];
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const Meeting = mongoose.model('Meeting', meetingSchema);
