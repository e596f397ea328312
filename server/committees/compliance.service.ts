import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { Meeting, type MeetingRecord } from '../../models/meeting.model.js';
import type { QueryScope } from '../auth/scope.js';
import { jalaliMonthKey, toJalali } from '../shared/jalali.js';
import { comparePersian } from '../shared/persian-text.js';
import { placeNames } from './committees.service.js';
import { monthOf } from './meetings.service.js';

/**
 * A monthly committee's month: `held` (a meeting recorded as held), `scheduled` (one is planned, this month or
 * later), `missed` (the month is over and no meeting was held: none planned, only cancelled ones, or one planned
 * but never recorded as held), `due` (this month, nothing planned yet), `notDue` (a later month, or before the
 * committee's record begins).
 */
export type MonthState = 'held' | 'scheduled' | 'missed' | 'due' | 'notDue';

export interface ComplianceRow {
  id: string;
  name: string;
  kind: string;
  place: string;
  placeName: string;
  months: { month: number; key: string; state: MonthState; meeting?: string }[];
}

export interface ComplianceGrid {
  year: number;
  place: string;
  /** The current month's key, so a page can mark its column. */
  currentMonth: string;
  committees: ComplianceRow[];
}

/**
 * The monthly-compliance grid of every committee that must meet monthly at `place` and under it (a county: its
 * own committee; a province: the provincial ones and every county's side by side) for the Jalali `year`, as it
 * stands on `today`. Called by the pages, the API and the monthly report job (with the system scope).
 */
export async function complianceGrid({ place, year, today = new Date(), scope = 'system' }: { place: string; year: number; today?: Date; scope?: QueryScope }): Promise<ComplianceGrid> {
  const committees = await Committee.find({ placePath: place, meetsMonthly: true }).setOptions({ scope }).lean<CommitteeRecord[]>();
  const meetings = await Meeting.find({ committee: { $in: committees.map((c) => c._id) }, month: { $gte: jalaliMonthKey(year, 1), $lte: jalaliMonthKey(year, 12) } })
    .setOptions({ scope })
    .lean<MeetingRecord[]>();
  const firstMeeting = await firstMeetingMonths(committees, scope);
  const now = toJalali(today);
  const currentMonth = jalaliMonthKey(now.year, now.month);
  const names = await placeNames(committees.map((c) => c.placeCode));

  const rows = committees.map((committee) => {
    const own = meetings.filter((m) => String(m.committee) === String(committee._id));
    const created = monthOf(committee.createdAt);
    const first = firstMeeting.get(String(committee._id));
    const since = first && first < created ? first : created;
    const months = Array.from({ length: 12 }, (_, i) => {
      const key = jalaliMonthKey(year, i + 1);
      const inMonth = own.filter((m) => m.month === key);
      const held = inMonth.find((m) => m.state === 'held' || m.state === 'minutes-approved');
      const planned = inMonth.find((m) => m.state === 'scheduled');
      let state: MonthState;
      if (held) state = 'held';
      else if (key < since) state = 'notDue';
      else if (key < currentMonth) state = 'missed';
      else if (planned) state = 'scheduled';
      else state = key === currentMonth ? 'due' : 'notDue';
      const meeting = held ?? planned;
      return { month: i + 1, key, state, ...(meeting ? { meeting: String(meeting._id) } : {}) };
    });
    return { id: String(committee._id), name: committee.name, kind: committee.kind, place: committee.placeCode, placeName: names.get(committee.placeCode) ?? committee.placeCode, months };
  });
  rows.sort((a, b) => a.place.length - b.place.length || comparePersian(a.placeName, b.placeName) || comparePersian(a.name, b.name));
  return { year, place, currentMonth, committees: rows };
}

async function firstMeetingMonths(committees: CommitteeRecord[], scope: QueryScope): Promise<Map<string, string>> {
  const firsts = await Meeting.aggregate<{ _id: unknown; first: string }>([
    { $match: { committee: { $in: committees.map((c) => c._id) } } },
    { $group: { _id: '$committee', first: { $min: '$month' } } },
  ]).option({ scope });
  return new Map(firsts.map((f) => [String(f._id), f.first]));
}

/**
 * For the reminder job: committees that must meet monthly and have no meeting (other than cancelled ones)
 * in the Jalali month `month` of `year` (only `province`'s when it is given).
 */
export async function monthlyCommitteesWithoutMeeting(year: number, month: number, province?: string): Promise<CommitteeRecord[]> {
  const key = jalaliMonthKey(year, month);
  const committees = await Committee.find({ ...(province ? { province } : {}), meetsMonthly: true }).setOptions({ scope: 'system' }).lean<CommitteeRecord[]>();
  const met = await Meeting.distinct('committee', { ...(province ? { province } : {}), month: key, state: { $ne: 'cancelled' } }).setOptions({ scope: 'system' });
  const metIds = new Set(met.map(String));
  return committees.filter((c) => !metIds.has(String(c._id)));
}
