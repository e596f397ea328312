import { Types } from 'mongoose';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Quota } from '../../models/quota.model.js';
import { nationalIdCheckDigit } from '../../server/enrolments/national-id.js';
import { formatJalaliDate, jalaliYearBounds, toJalali } from '../../server/shared/jalali.js';

/**
 * Enrolment fixtures: valid national IDs, birth dates for an age, a campaign open today, a quota.
 * Places: East Azerbaijan's Tabriz central district (030303) has the village data; load it with `loadPlaces('030303')`.
 */
export const TABRIZ_CENTRAL = '030303';
export const KHAJEH_DIZAJ = '0303030001029409';
export const ALVAR_SOFLA = '0303030001029406';
/** A town of 12,692 people (under 20,000) and the city of Tabriz (1,558,693). */
export const BASMENJ = '0303031213';
export const TABRIZ_CITY = '0303031214';

/** The `n`th valid national ID of a test (never ten repeated digits). */
export function nationalId(n: number): string {
  const firstNine = String(100_000_000 + n).padStart(9, '0').slice(-9);
  return firstNine + nationalIdCheckDigit(firstNine);
}

/** A Jalali birth date (Latin digits) of someone who turns `age` today in Tehran. */
export function birthDateForAge(age: number, today = new Date()): string {
  const j = toJalali(today);
  return formatJalaliDate({ year: j.year - age, month: j.month, day: Math.min(j.day, 29) });
}

/** A campaign of `province` over the current Jalali year, created straight in the collection. */
export async function openCampaign(province = '03', settings: Partial<Pick<CampaignRecord, 'townThreshold' | 'minAge' | 'maxAge' | 'targetGroups' | 'name'>> = {}): Promise<CampaignRecord> {
  const year = toJalali(new Date()).year;
  const { start, end } = jalaliYearBounds(year);
  const campaign = await Campaign.create({
    name: `پویش ${year}`,
    year,
    startsAt: start,
    endsAt: end,
    townThreshold: 20_000,
    createdBy: new Types.ObjectId(),
    ...settings,
    ...{ province, placePath: [province] },
  });
  return campaign.toObject() as unknown as CampaignRecord;
}

export async function setQuota(campaign: CampaignRecord, place: { code: string; ancestors: string[] }, target: number): Promise<void> {
  await Quota.create({
    campaign: campaign._id,
    placeCode: place.code,
    holderLevel: 'village',
    target,
    updatedBy: new Types.ObjectId(),
    ...{ province: campaign.province, placePath: [...place.ancestors, place.code] },
  });
}

/** An enrolment as the API takes it; override any field. */
export function enrolmentBody(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nationalId: nationalId(n),
    firstName: 'مریم',
    lastName: 'رضایی',
    birthDate: birthDateForAge(30),
    sex: 'female',
    mobile: '09121234567',
    targetGroup: 'villagers',
    channel: 'in-person',
    inPersonReason: 'asked',
    ...overrides,
  };
}
