import { type CampaignRecord } from '../../models/campaign.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { isInScope, scopeFilter, type ScopeUser } from '../auth/scope.js';
import { placeByCode } from '../places/cached-places.js';
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
  const [found, campaigns, recent] = await Promise.all([placeByCode(user.placeCode), openCampaigns(user, now), recentEnrolments(user)]);
  const place = found && isInScope(user, found) ? found : null;
  const { quotas, counters } = campaigns.length ? await ownFigures(user, campaigns) : { quotas: [], counters: [] };
  const progress = campaigns.map((campaign) => {
    const ofCampaign = <T extends { campaign: unknown }>(records: T[]) => records.find((r) => String(r.campaign) === String(campaign._id)) ?? null;
    return holderProgress(campaign, ofCampaign(quotas), ofCampaign(counters), now);
  });
  return { place: { code: user.placeCode, name: place?.name ?? user.placeCode, level: place?.level ?? '' }, progress, recent };
}

/**
 * The user's own place's counters and quotas in every open campaign, in one query however many campaigns are open:
 * the counters, and the quotas beside them (`$unionWith`), each side filtered by the same key and the user's scope.
 */
async function ownFigures(user: ScopeUser, campaigns: CampaignRecord[]): Promise<{ quotas: QuotaRecord[]; counters: ProgressCounterRecord[] }> {
  const key = { province: user.province, campaign: { $in: campaigns.map((c) => c._id) }, placeCode: user.placeCode };
  const found = await ProgressCounter.aggregate<(QuotaRecord | ProgressCounterRecord) & { isQuota?: true }>([
    { $match: key },
    // the quotas' side is not seen by the scope plugin (it scopes the counters' pipeline): it names the scope itself
    { $unionWith: { coll: Quota.collection.collectionName, pipeline: [{ $match: { $and: [key, scopeFilter(user)] } }, { $set: { isQuota: true } }] } },
  ]).option({ scope: user });
  return {
    quotas: found.filter((r): r is QuotaRecord & { isQuota: true } => r.isQuota === true),
    counters: found.filter((r): r is ProgressCounterRecord => r.isQuota !== true),
  };
}

function holderProgress(campaign: CampaignRecord, quota: QuotaRecord | null, counter: ProgressCounterRecord | null, now: Date): HolderProgress {
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
