import mongoose, { Schema, type Types } from 'mongoose';
import type { JalaliDate } from '../server/shared/jalali.js';
import { historySchema, type HistoryEntry } from './meeting.model.js';
import { placeScoped } from './plugins/place-scoped.js';

export const AGREEMENT_LEVELS = ['province', 'country'] as const;
export type AgreementLevel = (typeof AGREEMENT_LEVELS)[number];

const jalaliDate = { year: { type: Number, required: true }, month: { type: Number, required: true }, day: { type: Number, required: true } };

/**
 * One numbered clause (بند). What it obliges is a commitment like a resolution's: `commitment` is that
 * resolution document (responsible agency, deadline or recurrence, progress updates, reminders), so a clause is
 * followed up exactly like a resolution. `reason` says why it was added (and `proposal` where it came from).
 */
const clauseSchema = new Schema(
  {
    number: { type: Number, required: true, min: 1 },
    text: { type: String, required: true, trim: true },
    commitment: { type: Schema.Types.ObjectId, ref: 'Resolution', required: true },
    topics: { type: [String], default: [] },
    addedAt: { type: Date, required: true },
    addedBy: { type: String, required: true },
    reason: { type: String, default: undefined, trim: true },
    proposal: { type: Schema.Types.ObjectId, ref: 'ClauseProposal', default: undefined },
    illustrative: { type: Boolean, default: undefined },
  },
  { _id: false },
);

/**
 * An agreement (تفاهم‌نامه) between the fund and one or more agencies or organisations, signed at province or
 * country level and followed up in a province (a country-level agreement is tracked by each province that
 * applies it). `workingGroup` is the committee of volunteers that owns it and proposes clauses from the field
 * problems; the governor's office of the province decides on them. `groupSize` and `smallTownThreshold` are the
 * agreement's settings (seed 000: five volunteer mayors; municipalities under 50,000 people).
 */
const agreementSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 500 },
    parties: { type: [String], required: true },
    signedOn: { type: new Schema(jalaliDate, { _id: false }), required: true },
    level: { type: String, enum: AGREEMENT_LEVELS, required: true },
    workingGroup: { type: Schema.Types.ObjectId, ref: 'Committee', default: null },
    groupSize: { type: Number, default: 5, min: 1, max: 50 },
    smallTownThreshold: { type: Number, default: 50_000, min: 1 },
    clauses: { type: [clauseSchema], default: [] },
    /** Hands out clause numbers: incremented in the transaction that adds a clause. */
    clauseCount: { type: Number, default: 0 },
    illustrative: { type: Boolean, default: undefined },
    createdBy: { type: String, required: true },
    history: { type: [historySchema], default: [] },
  },
  { collection: 'agreements', timestamps: true, versionKey: false },
);
agreementSchema.plugin(placeScoped);
agreementSchema.index({ province: 1, createdAt: -1 });

export interface ClauseRecord {
  number: number;
  text: string;
  commitment: Types.ObjectId;
  topics: string[];
  addedAt: Date;
  addedBy: string;
  reason?: string;
  proposal?: Types.ObjectId;
  illustrative?: boolean;
}

export interface AgreementRecord {
  _id: Types.ObjectId;
  title: string;
  parties: string[];
  signedOn: JalaliDate;
  level: AgreementLevel;
  workingGroup: Types.ObjectId | null;
  groupSize: number;
  smallTownThreshold: number;
  clauses: ClauseRecord[];
  clauseCount: number;
  illustrative?: boolean;
  createdBy: string;
  history: HistoryEntry[];
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const Agreement = mongoose.model('Agreement', agreementSchema);
