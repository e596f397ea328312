import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { MonthApproval, type MonthApprovalRecord } from '../../models/month-approval.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { assertInScope, type AuthUser } from '../auth/scope.js';
import { AppError, forbidden } from '../errors/app-error.js';
import { jalaliMonthBounds } from '../shared/jalali.js';
import type { Config } from '../config.js';
import { mailFinalReport } from './final-report.js';

/** The figures of a place up to a month's end: enrolments dated in that month or before, as the counters stand now. */
export interface MonthFigures {
  logged: number;
  verified: number;
}

export interface PlaceSignOff {
  place: string;
  approved: boolean;
  approvedBy?: string;
  approvedAt?: Date;
  withdrawnReason?: string;
  /** What was approved, frozen. */
  approvedFigures?: MonthFigures;
  /** What the counters say now for the same months. */
  current: MonthFigures;
  /** Enrolments dated in the approved period but logged (or verified) after the approval. */
  afterApproval?: MonthFigures;
}

export interface SignOff {
  month: string;
  /** The provincial report is final only once the province is approved; until then it is preliminary. */
  final: boolean;
  province: PlaceSignOff;
  counties: PlaceSignOff[];
}

const monthOpen = () => new AppError('monthOpen', 'approvals.monthOpen', 409);

/**
 * A county's figures for `month` are approved by its county governor or the province's fund manager; the province's
 * by its fund manager once every county is approved. The month must be over. The figures are frozen in the approval.
 */
export async function approveMonth(user: AuthUser, placeCode: string, month: string, config: Pick<Config, 'publicUrl' | 'smtpUrl'>, now = new Date()): Promise<MonthApprovalRecord> {
  const place = await assertInScope(user, placeCode);
  const level = levelOf(place);
  if (!mayApprove(user, place)) throw forbidden();
  const campaign = await campaignFor(place.province, month, now);
  if (level === 'province') {
    const pending = await pendingCounties(place.province, month);
    if (pending.length) throw new AppError('countiesPending', 'approvals.countiesPending', 409, { count: pending.length });
  }
  const existing = await MonthApproval.findOne({ province: place.province, month, place: place.code }).setOptions({ scope: 'system' }).lean<MonthApprovalRecord>();
  if (existing?.status === 'approved') throw new AppError('alreadyApproved', 'approvals.alreadyApproved', 409);
  const approval = {
    campaign: campaign._id,
    place: place.code,
    level,
    month,
    status: 'approved' as const,
    figures: await figuresThrough(campaign, place.code, month),
    approvedBy: user.username,
    approvedRole: user.role,
    approvedAt: now,
    ...placeFields(place),
  };
  const saved = await MonthApproval.findOneAndUpdate(
    { province: place.province, month, place: place.code },
    { $set: approval, $unset: { withdrawnBy: 1, withdrawnAt: 1, withdrawnReason: 1 } },
    { upsert: true, returnDocument: 'after', runValidators: true },
  )
    .setOptions({ scope: 'system' })
    .lean<MonthApprovalRecord>();
  if (level === 'province') await mailFinalReport(place.province, month, config, now);
  return saved!;
}

/**
 * The level above reopens an approval, with a reason: the province's fund manager a county's, while the province is
 * not approved over it. A province's own approval is reopened by the level above it, the fund's central office
 * (server/national/national.service.ts).
 */
export async function withdrawApproval(user: AuthUser, placeCode: string, month: string, reason: string, now = new Date()): Promise<MonthApprovalRecord> {
  const place = await assertInScope(user, placeCode);
  if (levelOf(place) !== 'county' || user.role !== 'fund-manager' || user.province !== place.province) throw forbidden();
  const province = await MonthApproval.findOne({ province: place.province, month, place: place.province, status: 'approved' }).setOptions({ scope: 'system' }).lean();
  if (province) throw new AppError('provinceApproved', 'approvals.provinceApproved', 409);
  return markWithdrawn(place.province, place.code, month, user.username, reason, now);
}

/** Reopens `place`'s approved month, by the level above it with a reason; 409 when it is not approved. */
export async function markWithdrawn(province: string, place: string, month: string, by: string, reason: string, now: Date): Promise<MonthApprovalRecord> {
  const withdrawn = await MonthApproval.findOneAndUpdate(
    { province, month, place, status: 'approved' },
    { $set: { status: 'withdrawn', withdrawnBy: by, withdrawnAt: now, withdrawnReason: reason } },
    { returnDocument: 'after' },
  )
    .setOptions({ scope: 'system' })
    .lean<MonthApprovalRecord>();
  if (!withdrawn) throw new AppError('notApproved', 'approvals.notApproved', 409);
  return withdrawn;
}

/** Where a province stands for a month: each county's approval, the province's, and what came in after them. */
export async function signOffOf(province: string, month: string): Promise<SignOff> {
  const [counties, approvals, campaign] = await Promise.all([
    Place.find({ province, level: 'county' }, { code: 1 }).setOptions({ scope: 'system' }).sort({ code: 1 }).lean<{ code: string }[]>(),
    MonthApproval.find({ province, month }).setOptions({ scope: 'system' }).lean<MonthApprovalRecord[]>(),
    campaignOf(province, month),
  ]);
  const byPlace = new Map(approvals.map((a) => [a.place, a]));
  const counters = campaign ? await ProgressCounter.find({ province, campaign: campaign._id, placeCode: { $in: [province, ...counties.map((c) => c.code)] } }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>() : [];
  const counterOf = new Map(counters.map((c) => [c.placeCode, c]));
  const describe = (code: string): PlaceSignOff => {
    const approval = byPlace.get(code);
    const current = through(counterOf.get(code), month);
    if (!approval) return { place: code, approved: false, current };
    if (approval.status !== 'approved') return { place: code, approved: false, current, ...(approval.withdrawnReason ? { withdrawnReason: approval.withdrawnReason } : {}) };
    return {
      place: code,
      approved: true,
      approvedBy: approval.approvedBy,
      approvedAt: approval.approvedAt,
      approvedFigures: approval.figures,
      current,
      afterApproval: { logged: current.logged - approval.figures.logged, verified: current.verified - approval.figures.verified },
    };
  };
  const provinceSignOff = describe(province);
  return { month, final: provinceSignOff.approved, province: provinceSignOff, counties: counties.map((c) => describe(c.code)) };
}

/** Counties of the province whose month is not approved. */
export async function pendingCounties(province: string, month: string): Promise<string[]> {
  const [counties, approved] = await Promise.all([
    Place.distinct('code', { province, level: 'county' }).setOptions({ scope: 'system' }),
    MonthApproval.distinct('place', { province, month, level: 'county', status: 'approved' }).setOptions({ scope: 'system' }),
  ]);
  const done = new Set(approved as string[]);
  return (counties as string[]).filter((code) => !done.has(code)).sort();
}

function levelOf(place: PlaceRecord): 'county' | 'province' {
  if (place.level === 'county' || place.level === 'province') return place.level;
  throw new AppError('validation', 'errors.validation', 400, {}, { place: 'approvals.placeLevel' });
}

function mayApprove(user: AuthUser, place: PlaceRecord): boolean {
  if (user.province !== place.province) return false;
  if (place.level === 'county') return user.role === 'fund-manager' || (user.role === 'county-governor' && user.placeCode === place.code);
  return user.role === 'fund-manager';
}

async function campaignFor(province: string, month: string, now: Date): Promise<CampaignRecord> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  if (jalaliMonthBounds(year, monthNumber).end > now) throw monthOpen();
  const campaign = await campaignOf(province, month);
  if (!campaign) throw new AppError('noCampaign', 'approvals.noCampaign', 409);
  return campaign;
}

/** The province's campaign of a month, as the provincial report picks it: running at the month's end, else the latest before. */
async function campaignOf(province: string, month: string): Promise<CampaignRecord | null> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const end = jalaliMonthBounds(year, monthNumber).end;
  return Campaign.findOne({ province, startsAt: { $lt: end } }).sort({ startsAt: -1 }).setOptions({ scope: 'system' }).lean<CampaignRecord>();
}

/** A place's figures through the month's end as the counters stand now (what a sign-off reads). */
export async function figuresThrough(campaign: CampaignRecord, placeCode: string, month: string): Promise<MonthFigures> {
  const counter = await ProgressCounter.findOne({ province: campaign.province, campaign: campaign._id, placeCode }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord>();
  return through(counter ?? undefined, month);
}

function through(counter: ProgressCounterRecord | undefined, month: string): MonthFigures {
  const figures = { logged: 0, verified: 0 };
  for (const [key, count] of Object.entries(counter?.byMonth ?? {})) {
    if (key > month) continue;
    figures.logged += count.logged ?? 0;
    figures.verified += count.verified ?? 0;
  }
  return figures;
}
