import { Enrolment, IN_PERSON_REASONS } from '../../models/enrolment.model.js';
import { Quota } from '../../models/quota.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { toAuthUser } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/scope.js';
import { createCampaign } from '../campaigns/campaigns.service.js';
import type { Config } from '../config.js';
import { logger } from '../logger.js';
import { proposeAllocationFor, setQuota } from '../quotas/quotas.service.js';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { formatJalaliDate, toJalali } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';
import { nationalIdCheckDigit } from './national-id.js';
import { logEnrolment, openCampaigns, verifyEnrolment } from './enrolments.service.js';

const FIRST_NAMES = ['مریم', 'علی', 'زهرا', 'حسین', 'فاطمه', 'رضا', 'معصومه', 'مهدی', 'سکینه', 'یوسف', 'لیلا', 'اکبر', 'رقیه', 'جواد'];
const LAST_NAMES = ['رضایی', 'قاسمی', 'محمدی', 'اصغرزاده', 'نوروزی', 'جعفری', 'حسن‌زاده', 'کریمی', 'ابراهیمی', 'عباسی'];
const TARGET_GROUPS = ['villagers', 'farmers', 'farmers', 'craftspeople', 'villagers', 'vocational-trainees'] as const;

/** The demo village head's quota, and how many of their sample enrolments are already logged and verified. */
const VILLAGE_TARGET = 60;
const SAMPLE_ENROLMENTS = 14;
const SAMPLE_VERIFIED = 6;
/** Mazandaran's small towns share this total (by population); its census data has no villages. */
const MAZANDARAN_TOWNS_TOTAL = 2_000;
/** Enrolments logged by the demo mayor in Kiasar, and by the fund in other small towns of the province. */
const MAYOR_ENROLMENTS = 12;
const FUND_ENROLMENTS = 30;

/**
 * A fresh `npm start` shows real progress to every demo account, all through the same services a user goes
 * through (so the counters are right):
 * - East Azerbaijan: the campaign of the current Jalali year (created by its demo fund manager unless one is open),
 *   a quota for the village of Khajeh Dizaj and its district, and enrolments logged by the village head over the
 *   past months, some verified;
 * - Mazandaran: the same year's campaign made by `demo.fund`, quotas for its small towns (by population), and
 *   enrolments in Kiasar logged by the demo mayor and in other small towns by the fund, some verified.
 * Returns how many enrolments it logged; does nothing for a province whose demo place already has enrolments.
 */
export async function createDemoEnrolments(config: Config): Promise<number> {
  return (await eastAzerbaijanDemo(config)) + (await mazandaranDemo(config));
}

async function eastAzerbaijanDemo(config: Config): Promise<number> {
  const head = await demoUser('demo.village');
  const fund = await demoUser('demo.fund.03');
  if (!head || !fund) return 0;
  if (await Enrolment.exists({ province: head.province, place: head.placeCode }).setOptions({ scope: 'system' })) return 0;

  const campaign = await demoCampaign(fund, config);
  for (const [placeCode, target] of [[head.placeCode, VILLAGE_TARGET], ['030303', 1_500]] as const) {
    if (!(await Quota.exists({ campaign: campaign._id, placeCode }).setOptions({ scope: 'system' }))) await setQuota(fund, campaign, { placeCode, target }, { source: 'typed' });
  }
  const ids = await logSamples(head, campaign, Array.from({ length: SAMPLE_ENROLMENTS }, () => head.placeCode), 0);
  for (const id of ids.slice(0, SAMPLE_VERIFIED)) await verifyEnrolment(fund, id);
  logger.info({ campaign: campaign.name, enrolments: ids.length, verified: SAMPLE_VERIFIED }, 'demo enrolments created');
  return ids.length;
}

async function mazandaranDemo(config: Config): Promise<number> {
  const mayor = await demoUser('demo.mayor');
  const fund = await demoUser('demo.fund');
  if (!mayor || !fund) return 0;
  if (await Enrolment.exists({ province: mayor.province, place: mayor.placeCode }).setOptions({ scope: 'system' })) return 0;

  const campaign = await demoCampaign(fund, config);
  const towns = (await proposeAllocationFor(fund, campaign, { level: 'town', total: MAZANDARAN_TOWNS_TOTAL, basis: 'population' })).filter((town) => town.target > 0);
  for (const town of towns) {
    if (!(await Quota.exists({ campaign: campaign._id, placeCode: town.place }).setOptions({ scope: 'system' }))) await setQuota(fund, campaign, { placeCode: town.place, target: town.target }, { source: 'allocation' });
  }
  const others = towns.filter((town) => town.place !== mayor.placeCode).map((town) => town.place);
  // the fund's samples go to every third town, so some counties are ahead and others behind
  const fundPlaces = Array.from({ length: FUND_ENROLMENTS }, (_, i) => others[(i * 3) % others.length]!);
  const mayorIds = await logSamples(mayor, campaign, Array.from({ length: MAYOR_ENROLMENTS }, () => mayor.placeCode), 100);
  const fundIds = await logSamples(fund, campaign, fundPlaces, 200);
  for (const id of [...mayorIds.slice(0, 5), ...fundIds.filter((_, i) => i % 2 === 0)]) await verifyEnrolment(fund, id);
  logger.info({ campaign: campaign.name, enrolments: mayorIds.length + fundIds.length }, 'demo enrolments created');
  return mayorIds.length + fundIds.length;
}

/** The campaign open today in the fund manager's province, or one for the whole current Jalali year. */
async function demoCampaign(fund: AuthUser, config: Config): Promise<CampaignRecord> {
  const today = toJalali(new Date());
  const open = (await openCampaigns(fund))[0];
  if (open) return open;
  const name = `پویش پوشش بیمه روستاییان و عشایر ${toPersianDigits(today.year)}`;
  return createCampaign(fund, { name, year: today.year, startsOn: formatJalaliDate({ year: today.year, month: 1, day: 1 }) }, config);
}

/** Logs one sample person at each of `places`, spread over the campaign's past months; `seed` keeps national IDs apart. */
async function logSamples(actor: AuthUser, campaign: CampaignRecord, places: readonly string[], seed: number): Promise<string[]> {
  const start = Math.max(campaign.startsAt.getTime(), Date.now() - 200 * 86_400_000);
  const ids: string[] = [];
  for (const [i, village] of places.entries()) {
    const at = new Date(start + ((Date.now() - start) * (i + 1)) / (places.length + 1));
    const n = seed + i;
    const firstNine = String(140_000_000 + n * 7_919).padStart(9, '0');
    const birthYear = toJalali(at).year - 20 - ((n * 7) % 28);
    const enrolment = await logEnrolment(
      actor,
      {
        campaign: String(campaign._id),
        village,
        nationalId: firstNine + nationalIdCheckDigit(firstNine),
        firstName: FIRST_NAMES[n % FIRST_NAMES.length],
        lastName: LAST_NAMES[(n * 3) % LAST_NAMES.length],
        birthDate: formatJalaliDate({ year: birthYear, month: 1 + (n % 12), day: 1 + ((n * 5) % 28) }),
        sex: n % 2 === 0 ? 'female' : 'male',
        mobile: `0914${String(1_000_000 + n * 37_171).slice(-7)}`,
        targetGroup: TARGET_GROUPS[n % TARGET_GROUPS.length],
        channel: n % 3 === 0 ? 'online' : 'in-person',
        ...(n % 3 === 0 ? {} : { inPersonReason: IN_PERSON_REASONS[n % IN_PERSON_REASONS.length] }),
      },
      at,
    );
    ids.push(String(enrolment._id));
  }
  return ids;
}

async function demoUser(username: string): Promise<AuthUser | null> {
  const user = await User.findOne({ username, demo: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
  return user ? toAuthUser(user) : null;
}

