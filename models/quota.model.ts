import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

/**
 * Who holds a quota: a village (its village head), a district (its district governor), a town under the
 * campaign's threshold (its mayor); counties and the province carry the totals an allocation starts from.
 */
export const HOLDER_LEVELS = ['province', 'county', 'district', 'village', 'town'] as const;
export type HolderLevel = (typeof HOLDER_LEVELS)[number];

/**
 * The enrolment target of one holder in one campaign. One document per (campaign, place); `province` leads
 * the unique key so the collection can shard by province. Every change is also written to quota_changes.
 */
const quotaSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    placeCode: { type: String, required: true },
    holderLevel: { type: String, enum: HOLDER_LEVELS, required: true },
    target: { type: Number, required: true, min: 0, validate: { validator: Number.isSafeInteger, message: 'target must be a whole number' } },
    /** The committee's month-by-month plan: by the end of Jalali month `YYYY-MM`, `cumulativeTarget` enrolments. */
    milestones: {
      type: [{ _id: false, month: { type: String, required: true, match: /^\d{4}-\d{2}$/ }, cumulativeTarget: { type: Number, required: true, min: 0 } }],
      default: [],
    },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { collection: 'quotas', timestamps: true, versionKey: false },
);
quotaSchema.plugin(placeScoped);
quotaSchema.plugin(audited);
quotaSchema.index({ province: 1, campaign: 1, placeCode: 1 }, { unique: true });
quotaSchema.index({ campaign: 1, holderLevel: 1 });

export interface QuotaRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  placeCode: string;
  holderLevel: HolderLevel;
  target: number;
  milestones: { month: string; cumulativeTarget: number }[];
  updatedBy: Types.ObjectId;
  province: string;
  placePath: string[];
  createdAt: Date;
  updatedAt: Date;
}

export const Quota = mongoose.model('Quota', quotaSchema);
