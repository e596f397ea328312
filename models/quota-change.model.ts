import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';

export const QUOTA_CHANGE_SOURCES = ['typed', 'upload', 'allocation'] as const;
export type QuotaChangeSource = (typeof QUOTA_CHANGE_SOURCES)[number];

/**
 * The history of quotas: one document per change, never updated or deleted (who, when, from, to, how).
 * `from` is null when the quota was first set.
 */
const quotaChangeSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    placeCode: { type: String, required: true },
    from: { type: Number, default: null },
    to: { type: Number, required: true },
    source: { type: String, enum: QUOTA_CHANGE_SOURCES, required: true },
    /** Free text for typed changes; the file name for uploads. */
    reason: { type: String, default: '', maxlength: 500 },
    changedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { collection: 'quota_changes', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
quotaChangeSchema.plugin(placeScoped);
quotaChangeSchema.index({ province: 1, campaign: 1, placeCode: 1, createdAt: -1 });

export interface QuotaChangeRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  placeCode: string;
  from: number | null;
  to: number;
  source: QuotaChangeSource;
  reason: string;
  changedBy: Types.ObjectId;
  province: string;
  placePath: string[];
  createdAt: Date;
}

export const QuotaChange = mongoose.model('QuotaChange', quotaChangeSchema);
