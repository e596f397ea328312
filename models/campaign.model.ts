import mongoose, { Schema, type Types } from 'mongoose';
import { forgetOpenCampaigns } from '../server/campaigns/campaign-cache.js';
import { onWrite } from './plugins/on-write.js';
import { placeScoped } from './plugins/place-scoped.js';
import { audited } from './plugins/audited.js';

export const TARGET_GROUPS = ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] as const;
export type TargetGroup = (typeof TARGET_GROUPS)[number];

/**
 * An enrolment campaign of one province for one Jalali year. Campaigns are province-bound records: the
 * place-scoped plugin gives them `province` and `placePath = [province]`, so province-wide roles find them
 * with their own scope. Roles bound to a place below the province (a county governor, a village head) work
 * inside their province's campaigns too; server/campaigns/campaigns.service.ts reads them for those users
 * by province, on purpose, rather than widening the scope rule.
 *
 * `startsAt`/`endsAt` are the half-open interval [start, end) in UTC instants (default 1 Farvardin to the
 * end of Esfand, Tehran time), the way server/quotas/pace.ts reads a plan.
 */
const campaignSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    /** Jalali year, e.g. 1403. */
    year: { type: Number, required: true, min: 1300, max: 1500 },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    targetGroups: { type: [String], enum: TARGET_GROUPS, default: () => [...TARGET_GROUPS] },
    /** Towns with fewer people than this are "small towns" of this campaign (a setting: other agreements use 50,000). */
    townThreshold: { type: Number, required: true, min: 1 },
    minAge: { type: Number, default: 18, min: 0, max: 120 },
    maxAge: { type: Number, default: 50, min: 0, max: 120 },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { collection: 'campaigns', timestamps: true, versionKey: false },
);
campaignSchema.plugin(placeScoped);
campaignSchema.plugin(audited);
campaignSchema.index({ province: 1, year: -1 });
onWrite(campaignSchema, () => forgetOpenCampaigns());

export interface CampaignRecord {
  _id: Types.ObjectId;
  name: string;
  province: string;
  placePath: string[];
  year: number;
  startsAt: Date;
  endsAt: Date;
  targetGroups: TargetGroup[];
  townThreshold: number;
  minAge: number;
  maxAge: number;
  createdBy: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

export const Campaign = mongoose.model('Campaign', campaignSchema);
