import type { CommitteeRecord } from '../../models/committee.model.js';
import { monthlyCommitteesWithoutMeeting } from '../committees/compliance.service.js';
import { committeeInvitees } from '../committees/invitations.js';
import { heldMeetingsWithoutMinutes, meetingsStartingWithin } from '../committees/meetings.service.js';
import { fromJalali, jalaliMonthKey, jalaliMonthName, toJalali } from '../shared/jalali.js';
import { toPersianDigits } from '../shared/persian-text.js';
import type { Recipient } from './recipients.js';
import type { ReminderBook } from './reminder-book.js';

/** Days before a meeting that its invitees are reminded of it. */
export const MEETING_NOTICE_DAYS = 2;
/** The Jalali day of the month by which a monthly committee must have its meeting scheduled. */
export const SCHEDULE_BY_DAY = 20;
/** Days after a meeting was held that missing minutes are chased. */
export const MINUTES_DUE_DAYS = 7;

/** The office that runs a committee: the chair's address and the users who answer for its place. */
function chairOffice(book: ReminderBook, committee: CommitteeRecord): (Recipient | null)[] {
  const placeCodes = [committee.placeCode];
  return [
    ...(committee.chair.email ? [book.directory.forAddress(committee.chair.email)] : []),
    ...book.directory.usersWith('governor-office', { placeCodes }),
    ...book.directory.usersWith('county-governor', { placeCodes }),
    ...book.directory.usersWith('district-governor', { placeCodes }),
  ];
}

const placeOf = (record: { province: string; placePath: string[] }) => ({ province: record.province, placePath: record.placePath });

/**
 * The meeting reminders of `now`'s day: each invitee of a meeting starting within two days (once per version of
 * the meeting), the chair's office of every monthly committee with no meeting in this Jalali month from the 20th
 * on (once per month), and the chair's office of every meeting held a week ago or more without minutes (once).
 */
export async function meetingReminders(book: ReminderBook, now: Date): Promise<void> {
  for (const { meeting, committee } of await meetingsStartingWithin(MEETING_NOTICE_DAYS, now, book.province)) {
    const invitees = await committeeInvitees(committee);
    await book.owe(
      {
        kind: 'meeting-upcoming',
        about: `meeting-upcoming:${String(meeting._id)}:${meeting.sequence}`,
        link: `/meetings/${String(meeting._id)}`,
        params: { committee: committee.name, when: meeting.startsAt, location: meeting.location },
        place: placeOf(meeting),
      },
      invitees.map((person) => book.directory.forAddress(person.email)),
    );
  }

  const today = toJalali(now);
  if (today.day >= SCHEDULE_BY_DAY) {
    const month = jalaliMonthKey(today.year, today.month);
    for (const committee of await monthlyCommitteesWithoutMeeting(today.year, today.month, book.province)) {
      await book.owe(
        {
          kind: 'meeting-not-scheduled',
          about: `meeting-not-scheduled:${String(committee._id)}:${month}`,
          link: `/committees/${String(committee._id)}`,
          params: {
            committee: committee.name,
            month: { fa: toPersianDigits(`${jalaliMonthName(today.month, 'fa')} ${today.year}`), en: `${jalaliMonthName(today.month, 'en')} ${today.year}` },
            date: fromJalali({ year: today.year, month: today.month, day: SCHEDULE_BY_DAY }),
          },
          place: placeOf(committee),
        },
        chairOffice(book, committee),
      );
    }
  }

  for (const { meeting, committee } of await heldMeetingsWithoutMinutes(MINUTES_DUE_DAYS, now, book.province)) {
    await book.owe(
      {
        kind: 'meeting-minutes-missing',
        about: `meeting-minutes-missing:${String(meeting._id)}`,
        link: `/meetings/${String(meeting._id)}`,
        params: { committee: committee.name, date: meeting.heldAt ?? meeting.startsAt },
        place: placeOf(meeting),
      },
      chairOffice(book, committee),
    );
  }
  await book.flush();
}
