import { isValidObjectId, Types } from 'mongoose';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { Campaign, TARGET_GROUPS, type CampaignRecord } from '../../models/campaign.model.js';
import { PROVINCE_WIDE_ROLES } from '../auth/roles.js';
import { assertInScope, outOfScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import type { Config } from '../config.js';
import { AppError, notFound } from '../errors/app-error.js';
import { addJalaliDays, fromJalali, jalaliYearBounds, parseJalaliDate, toJalali } from '../shared/jalali.js';
import type { CampaignInput } from './validation.js';

/**
 * Campaigns belong to a province. The governor's office and fund managers create them for their own province;
 * everyone in the province works inside them (a county governor watches their county's part), so campaigns are
 * read by province for every role — the place-scoped rule would hide a province-level record from a county.
 */

export async function createCampaign(user: AuthUser, input: CampaignInput, config: Config, now = new Date()): Promise<CampaignRecord> {
  const province = input.province ?? user.province;
  if (province !== user.province || !PROVINCE_WIDE_ROLES.includes(user.role)) throw outOfScope();
  const place = await assertInScope(user, province);
  const { start, end } = campaignSpan(input, now);
  if (end <= start) throw new AppError('validation', 'errors.validation', 400, {}, { endsOn: 'campaigns.endBeforeStart' });
  const campaign = await Campaign.create({
    name: input.name,
    year: input.year,
    ...placeFields(place),
    startsAt: start,
    endsAt: end,
    targetGroups: input.targetGroups ?? [...TARGET_GROUPS],
    townThreshold: input.townThreshold ?? config.smallTownThreshold,
    minAge: input.minAge ?? 18,
    maxAge: input.maxAge ?? 50,
    createdBy: new Types.ObjectId(user.id),
  });
  return campaign.toObject() as CampaignRecord;
}

/**
 * [start, end) of the campaign: the typed Jalali days (the end day included). Without a start day a campaign of
 * the current year starts today (Tehran), so it is not "behind" the moment it is made; another year's starts on
 * its 1 Farvardin. Without an end day it runs to the end of its Jalali year.
 */
function campaignSpan(input: CampaignInput, now: Date): { start: Date; end: Date } {
  const year = jalaliYearBounds(input.year);
  const startDay = input.startsOn ? parseJalaliDate(input.startsOn) : null;
  const endDay = input.endsOn ? parseJalaliDate(input.endsOn) : null;
  const today = toJalali(now);
  const defaultStart = today.year === input.year ? fromJalali({ year: today.year, month: today.month, day: today.day }) : year.start;
  return { start: startDay ? fromJalali(startDay) : defaultStart, end: endDay ? fromJalali(addJalaliDays(endDay, 1)) : year.end };
}

/** The campaigns of the user's province, newest year first. */
export async function listCampaigns(user: ScopeUser): Promise<CampaignRecord[]> {
  return Campaign.find({ province: user.province }).setOptions({ scope: 'system' }).sort({ year: -1, createdAt: -1 }).lean<CampaignRecord[]>();
}

/** One campaign of the user's province (404 for an unknown id, 403 for another province's). */
export async function getCampaign(user: ScopeUser | 'system', id: string): Promise<CampaignRecord> {
  if (!isValidObjectId(id)) throw notFound();
  const campaign = await Campaign.findById(id).setOptions({ scope: 'system' }).lean<CampaignRecord>();
  if (!campaign) throw notFound();
  if (user !== 'system' && campaign.province !== user.province) throw outOfScope();
  return campaign;
}

/** Only the governor's office and the fund's managers set up campaigns and their quotas. */
export function mayManageCampaigns(user: ScopeUser | undefined): boolean {
  return user?.role === 'governor-office' || user?.role === 'fund-manager';
}
