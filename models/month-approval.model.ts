import mongoose, { Schema, type Types } from 'mongoose';
import { audited } from './plugins/audited.js';
import { placeScoped } from './plugins/place-scoped.js';

export const APPROVAL_LEVELS = ['county', 'province'] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

/**
 * The sign-off of one place's figures for one Jalali month of its province's campaign: a county by its governor or
 * the province's fund manager, then the province by its fund manager. `figures` freezes what was approved (logged
 * and verified up to the month's end, as the counters stood at approval); enrolments dated in the month later show
 * beside it as "after approval". Withdrawn by the level above, with a reason, which reopens it.
 */
const monthApprovalSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    place: { type: String, required: true },
    level: { type: String, enum: APPROVAL_LEVELS, required: true },
    /** Jalali `YYYY-MM`. */
    month: { type: String, required: true, match: /^\d{4}-\d{2}$/ },
    status: { type: String, enum: ['approved', 'withdrawn'], required: true },
    figures: { logged: { type: Number, required: true }, verified: { type: Number, required: true } },
    approvedBy: { type: String, required: true },
    approvedRole: { type: String, required: true },
    approvedAt: { type: Date, required: true },
    withdrawnBy: { type: String, default: undefined },
    withdrawnAt: { type: Date, default: undefined },
    withdrawnReason: { type: String, default: undefined, maxlength: 500 },
  },
  { collection: 'month_approvals', timestamps: true, versionKey: false },
);
monthApprovalSchema.plugin(placeScoped);
monthApprovalSchema.plugin(audited);
monthApprovalSchema.index({ province: 1, month: 1, place: 1 }, { unique: true });

export interface MonthApprovalRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  place: string;
  level: ApprovalLevel;
  month: string;
  status: 'approved' | 'withdrawn';
  figures: { logged: number; verified: number };
  approvedBy: string;
  approvedRole: string;
  approvedAt: Date;
  withdrawnBy?: string;
  withdrawnAt?: Date;
  withdrawnReason?: string;
  province: string;
  placePath: string[];
}

export const MonthApproval = mongoose.model('MonthApproval', monthApprovalSchema);
