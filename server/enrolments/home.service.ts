import { type CampaignRecord } from '../../models/campaign.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { expectedByDate, paceStatus, percent, type PaceStatus } from '../quotas/pace.js';
import { openCampaigns, recentEnrolments, type EnrolmentView } from './enrolments.service.js';

export interface HolderProgress {
  campaignId: string;
  campaignName: string;
  hasQuota: boolean;
  target: number | null;
  logged: number;
  verified: number;
  percent: number | null;
  expectedByToday: number | null;
  pace: PaceStatus | null;
}

export interface EnrolmentHome {
  place: { code: string; name: string; level: string };
  progress: HolderProgress[];
  recent: EnrolmentView[];
}

/**
 * The home of whoever logs enrolments (a village head first of all): for each campaign open in their province,
 * their own place's quota and its maintained counter (never a count of enrolments), how far along it should be by
 * today, and their latest enrolments.
 */
export async function enrolmentHome(user: ScopeUser, now = new Date()): Promise<EnrolmentHome> {
  const [place, campaigns, recent] = await Promise.all([
    Place.findOne({ code: user.placeCode }).setOptions({ scope: user }).lean<PlaceRecord>(),
    openCampaigns(user, now),
    recentEnrolments(user),
  ]);
  const progress = await Promise.all(campaigns.map((campaign) => holderProgress(user, campaign, now)));
  return { place: { code: user.placeCode, name: place?.name ?? user.placeCode, level: place?.level ?? '' }, progress, recent };
}

async function holderProgress(user: ScopeUser, campaign: CampaignRecord, now: Date): Promise<HolderProgress> {
  const key = { province: campaign.province, campaign: campaign._id, placeCode: user.placeCode };
  const [quota, counter] = await Promise.all([
    Quota.findOne(key).setOptions({ scope: user }).lean<QuotaRecord>(),
    ProgressCounter.findOne(key).setOptions({ scope: user }).lean<ProgressCounterRecord>(),
  ]);
  const logged = counter?.logged ?? 0;
  const expected = quota ? expectedByDate({ target: quota.target, start: campaign.startsAt, end: campaign.endsAt, milestones: quota.milestones }, now) : null;
  return {
    campaignId: String(campaign._id),
    campaignName: campaign.name,
    hasQuota: quota !== null,
    target: quota?.target ?? null,
    logged,
    verified: counter?.verified ?? 0,
    percent: quota ? percent(logged, quota.target) : null,
    expectedByToday: expected === null ? null : Math.round(expected),
    pace: expected === null ? null : paceStatus(logged, expected),
  };
}
