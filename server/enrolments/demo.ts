import { Enrolment } from '../../models/enrolment.model.js';
import { Quota } from '../../models/quota.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { toAuthUser } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/scope.js';
import { createCampaign } from '../campaigns/campaigns.service.js';
import type { Config } from '../config.js';
import { logger } from '../logger.js';
import { setQuota } from '../quotas/quotas.service.js';
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

/**
 * A fresh `npm start` shows real progress: in the demo village head's province (East Azerbaijan), the campaign of
 * the current Jalali year (created by its demo fund manager unless one is open), a quota for the village of Khajeh
 * Dizaj and its district, and a few enrolments logged by the village head over the past months, some of them
 * verified, all through the same services a user goes through (so the counters are right). Does nothing when the
 * village already has enrolments.
 */
export async function createDemoEnrolments(config: Config): Promise<number> {
  const head = await demoUser('demo.village');
  const fund = await demoUser('demo.fund.03');
  if (!head || !fund) return 0;
  if (await Enrolment.exists({ place: head.placeCode }).setOptions({ scope: 'system' })) return 0;

  const today = toJalali(new Date());
  const campaign = (await openCampaigns(fund))[0] ?? (await createCampaign(fund, { name: `پویش پوشش بیمه روستاییان و عشایر ${toPersianDigits(today.year)}`, year: today.year }, config));
  for (const [placeCode, target] of [[head.placeCode, VILLAGE_TARGET], ['030303', 1_500]] as const) {
    if (!(await Quota.exists({ campaign: campaign._id, placeCode }).setOptions({ scope: 'system' }))) await setQuota(fund, campaign, { placeCode, target }, { source: 'typed' });
  }

  const start = Math.max(campaign.startsAt.getTime(), Date.now() - 200 * 86_400_000);
  const ids: string[] = [];
  for (let i = 0; i < SAMPLE_ENROLMENTS; i++) {
    const at = new Date(start + ((Date.now() - start) * (i + 1)) / (SAMPLE_ENROLMENTS + 1));
    const firstNine = String(140_000_000 + i * 7_919).padStart(9, '0');
    const birthYear = toJalali(at).year - 20 - ((i * 7) % 28);
    const enrolment = await logEnrolment(
      head,
      {
        campaign: String(campaign._id),
        nationalId: firstNine + nationalIdCheckDigit(firstNine),
        firstName: FIRST_NAMES[i % FIRST_NAMES.length],
        lastName: LAST_NAMES[(i * 3) % LAST_NAMES.length],
        birthDate: formatJalaliDate({ year: birthYear, month: 1 + (i % 12), day: 1 + ((i * 5) % 28) }),
        sex: i % 2 === 0 ? 'female' : 'male',
        mobile: `0914${String(1_000_000 + i * 37_171).slice(-7)}`,
        targetGroup: TARGET_GROUPS[i % TARGET_GROUPS.length],
        channel: i % 3 === 0 ? 'online' : 'in-person',
      },
      at,
    );
    ids.push(String(enrolment._id));
  }
  for (const id of ids.slice(0, SAMPLE_VERIFIED)) await verifyEnrolment(fund, id);
  logger.info({ campaign: campaign.name, enrolments: ids.length, verified: SAMPLE_VERIFIED }, 'demo enrolments created');
  return ids.length;
}

async function demoUser(username: string): Promise<AuthUser | null> {
  const user = await User.findOne({ username, demo: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
  return user ? toAuthUser(user) : null;
}

