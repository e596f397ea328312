import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Place } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { expectedByDate, paceStatus, percent } from '../quotas/pace.js';
import { addJalaliDays, formatJalaliDate, fromJalali, toJalali, type JalaliDate } from '../shared/jalali.js';
import type { Role } from '../auth/roles.js';
import type { OwedReminder, ReminderBook } from './reminder-book.js';

const BATCH = 1000;

/** Who holds a quota of each level, and who supervises them. */
const HOLDER_ROLE: Record<string, Role> = { village: 'village-head', town: 'mayor', district: 'district-governor' };
const SUPERVISOR_ROLE: Record<string, Role> = { village: 'district-governor', town: 'district-governor', district: 'county-governor' };

/** The Saturday that starts the Iranian week of `day` (the weekly note is owed once per such week). */
export function weekStart(day: JalaliDate): JalaliDate {
  // noon in Tehran falls on the same UTC date (midnight does not: it is the evening before in UTC)
  const weekday = fromJalali(day, { hour: 12 }).getUTCDay();
  return addJalaliDays(day, -((weekday + 1) % 7));
}

/**
 * The weekly quota notes: every village head, mayor of a small town and district governor whose quota in a running
 * campaign is behind pace (logged enrolments below 90% of what the plan expects by today) gets their figures, and
 * so does their supervisor (village head and mayor → district governor; district governor → county governor), once
 * per Iranian week (Saturday to Friday).
 */
export async function quotaReminders(book: ReminderBook, now: Date): Promise<void> {
  const j = toJalali(now);
  const week = formatJalaliDate(weekStart({ year: j.year, month: j.month, day: j.day }));
  const campaigns = await Campaign.find({ ...(book.province ? { province: book.province } : {}), startsAt: { $lte: now }, endsAt: { $gt: now } }).setOptions({ scope: 'system' }).lean<CampaignRecord[]>();
  for (const campaign of campaigns) {
    // the campaign's province first: on a cluster sharded by province this reads one shard
    const cursor = Quota.find({ province: campaign.province, campaign: campaign._id, holderLevel: { $in: Object.keys(HOLDER_ROLE) as QuotaRecord['holderLevel'][] } })
      .setOptions({ scope: 'system' })
      .sort({ placeCode: 1 })
      .lean<QuotaRecord[]>()
      .cursor();
    let batch: QuotaRecord[] = [];
    for await (const quota of cursor as AsyncIterable<QuotaRecord>) {
      batch.push(quota);
      if (batch.length >= BATCH) {
        await remindBehind(book, campaign, batch, now, week);
        batch = [];
      }
    }
    await remindBehind(book, campaign, batch, now, week);
  }
  await book.flush();
}

async function remindBehind(book: ReminderBook, campaign: CampaignRecord, quotas: QuotaRecord[], now: Date, week: string): Promise<void> {
  if (quotas.length === 0) return;
  const codes = quotas.map((q) => q.placeCode);
  const [counters, places] = await Promise.all([
    // the province leads the counters' unique index
    ProgressCounter.find({ province: campaign.province, campaign: campaign._id, placeCode: { $in: codes } }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>(),
    Place.find({ code: { $in: codes } }, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<{ code: string; name: string }[]>(),
  ]);
  const counterOf = new Map(counters.map((c) => [c.placeCode, c]));
  const nameOf = new Map(places.map((p) => [p.code, p.name]));

  for (const quota of quotas) {
    const logged = counterOf.get(quota.placeCode)?.logged ?? 0;
    const verified = counterOf.get(quota.placeCode)?.verified ?? 0;
    const expected = expectedByDate({ target: quota.target, start: campaign.startsAt, end: campaign.endsAt, milestones: quota.milestones }, now);
    if (quota.target === 0 || paceStatus(logged, expected) !== 'behind') continue;
    const figures = { place: nameOf.get(quota.placeCode) ?? quota.placeCode, campaign: campaign.name, target: quota.target, logged, verified, expected: Math.round(expected), percent: percent(logged, quota.target) };
    const note = (kind: OwedReminder['kind']): OwedReminder => ({
      kind,
      about: `${kind}:${String(campaign._id)}:${quota.placeCode}:${week}`,
      link: `/places/${quota.placeCode}`,
      params: figures,
      place: { province: quota.province, placePath: quota.placePath },
    });
    await book.owe(note('quota-behind'), book.directory.usersWith(HOLDER_ROLE[quota.holderLevel]!, { placeCodes: [quota.placeCode] }));
    // the supervisor answers for a place above the holder's (its district, or its county)
    const above = quota.placePath.filter((code) => code !== quota.placeCode);
    await book.owe(note('quota-behind-supervised'), book.directory.usersWith(SUPERVISOR_ROLE[quota.holderLevel]!, { placeCodes: above }));
  }
}
