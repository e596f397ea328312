import { Agency, type AgencyRecord } from '../../models/agency.model.js';
import { Resolution } from '../../models/resolution.model.js';
import { commitmentInstancesDue, type DueInstance } from '../committees/resolutions.service.js';
import { addJalaliDays, fromJalali, jalaliDaysBetween, toJalali, type JalaliDate } from '../shared/jalali.js';
import type { Recipient } from './recipients.js';
import type { OwedReminder, ReminderBook } from './reminder-book.js';

/** Reminded when the due date is this many days away or nearer (and more than a day). */
export const DUE_SOON_DAYS = 7;
/** After this many days overdue, the agency's head and the governor's office are told. */
export const ESCALATION_DAYS = 14;
/** A commitment nobody has updated for this many days is stale; the reminder repeats every such period. */
export const STALE_DAYS = 30;
/** An overdue commitment is reminded again every this many days. */
export const OVERDUE_EVERY_DAYS = 7;

const SHORT_TEXT = 140;

/**
 * The commitment reminders of `now`'s day, for every period a resolution owes:
 * - due in 7 days or less (not tomorrow): once; due tomorrow: once;
 * - overdue: on the first day and then once a week (the key is the overdue week, so a missed day is caught up);
 * - 14 days overdue or more: once, to the agency's head (its office mailbox) and the province's governor's office;
 * - stale (no update for 30 days, or never updated 30 days after it was passed): once per 30 days of silence.
 * Reminders go to the responsible agency's officers in the province, or its office mailbox when none can be written to.
 */
export async function commitmentReminders(book: ReminderBook, now: Date): Promise<void> {
  const j = toJalali(now);
  const today: JalaliDate = { year: j.year, month: j.month, day: j.day };
  const province = book.province;
  const due = await commitmentInstancesDue({ to: addJalaliDays(today, DUE_SOON_DAYS), states: ['open', 'overdue'], today: now, province });
  // staleness concerns every open commitment, however far its due date
  const open = await commitmentInstancesDue({ states: ['open', 'overdue'], today: now, province });
  // each province keeps its own register: an agency is its code within the commitment's province
  const agencies = new Map((await Agency.find(province ? { province } : {}).lean<AgencyRecord[]>()).map((a) => [`${a.province}:${a.code}`, a]));
  const resolutions = new Map(
    (await Resolution.find({ ...(province ? { province } : {}), _id: { $in: [...new Set([...due, ...open].map((d) => d.resolution))] } }, { placePath: 1, province: 1, createdAt: 1 }).setOptions({ scope: 'system' }).lean<{ _id: unknown; placePath: string[]; province: string; createdAt: Date }[]>()).map(
      (r) => [String(r._id), r],
    ),
  );

  const agencyPeople = (instance: DueInstance): (Recipient | null)[] => {
    const officers = book.directory.usersWith('agency-officer', { province: instance.province, agency: instance.agency }).filter((r) => r !== null);
    if (officers.length) return officers;
    const office = agencies.get(`${instance.province}:${instance.agency}`)?.email;
    return office ? [book.directory.forAddress(office)] : [null];
  };
  const escalationPeople = (instance: DueInstance): (Recipient | null)[] => {
    const office = agencies.get(`${instance.province}:${instance.agency}`)?.email;
    return [...(office ? [book.directory.forAddress(office)] : []), ...book.directory.usersWith('governor-office', { province: instance.province })];
  };

  const reminder = (instance: DueInstance, kind: OwedReminder['kind'], about: string, extra: Record<string, unknown> = {}): OwedReminder | null => {
    const resolution = resolutions.get(instance.resolution);
    if (!resolution) return null;
    const agency = agencies.get(`${instance.province}:${instance.agency}`);
    return {
      kind,
      about: `${kind}:${instance.resolution}:${instance.period}${about}`,
      link: `/resolutions/${instance.resolution}`,
      params: {
        number: instance.number,
        text: instance.text.length > SHORT_TEXT ? `${instance.text.slice(0, SHORT_TEXT)}…` : instance.text,
        agency: { fa: agency?.nameFa ?? instance.agency, en: agency?.nameEn ?? instance.agency },
        date: fromJalali(instance.due),
        ...extra,
      },
      place: { province: resolution.province, placePath: resolution.placePath },
    };
  };
  const owe = async (owed: OwedReminder | null, recipients: (Recipient | null)[]) => {
    if (owed) await book.owe(owed, recipients);
  };

  for (const instance of due) {
    const daysLeft = jalaliDaysBetween(today, instance.due);
    if (daysLeft === 1) await owe(reminder(instance, 'commitment-due-tomorrow', ''), agencyPeople(instance));
    else if (daysLeft > 1 && daysLeft <= DUE_SOON_DAYS) await owe(reminder(instance, 'commitment-due-soon', ''), agencyPeople(instance));
    else if (daysLeft < 0) {
      const daysOverdue = -daysLeft;
      const week = Math.floor((daysOverdue - 1) / OVERDUE_EVERY_DAYS);
      await owe(reminder(instance, 'commitment-overdue', `:w${week}`, { days: daysOverdue }), agencyPeople(instance));
      if (daysOverdue >= ESCALATION_DAYS) await owe(reminder(instance, 'commitment-escalation', '', { days: daysOverdue }), escalationPeople(instance));
    }
  }

  // staleness is about the resolution, not one of its periods: once per resolution, per 30 days of silence
  const staleDone = new Set<string>();
  for (const instance of open) {
    const resolution = resolutions.get(instance.resolution);
    if (!resolution || staleDone.has(instance.resolution)) continue;
    staleDone.add(instance.resolution);
    const lastHeard = instance.lastUpdateAt ?? resolution.createdAt;
    const silentDays = Math.floor((now.getTime() - lastHeard.getTime()) / 86_400_000);
    if (silentDays < STALE_DAYS) continue;
    const stale = reminder(instance, 'commitment-stale', '', { days: silentDays, lastUpdate: lastHeard });
    if (stale) await book.owe({ ...stale, about: `commitment-stale:${instance.resolution}:${lastHeard.getTime()}:${Math.floor(silentDays / STALE_DAYS)}` }, agencyPeople(instance));
  }
  await book.flush();
}
