import { expect } from 'chai';
import { OutboxMessage, type OutboxMessageRecord } from '../../../models/outbox-message.model.js';
import { ensureAgencyRegister } from '../../../server/committees/agencies.service.js';
import { createCommittee } from '../../../server/committees/committees.service.js';
import { complianceGrid, monthlyCommitteesWithoutMeeting } from '../../../server/committees/compliance.service.js';
import type { MailSettings } from '../../../server/committees/invitations.js';
import { approveMinutes, cancelMeeting, heldMeetingsWithoutMinutes, meetingsStartingWithin, recordHeld, rescheduleMeeting, saveMinutes, scheduleMeeting } from '../../../server/committees/meetings.service.js';
import { addResolution, commitmentInstancesDue, listResolutions } from '../../../server/committees/resolutions.service.js';
import { postUpdate } from '../../../server/committees/updates.service.js';
import type { AuthUser } from '../../../server/auth/scope.js';
import { fromJalali, type JalaliDate } from '../../../server/shared/jalali.js';
import { resetDatabase } from '../../support/database.js';
import { loadPlaces } from '../../support/places.js';

const mail: MailSettings = { from: 'committees@example.ir', publicUrl: 'https://tracker.example.ir' };
const governor: AuthUser = { id: 'g', username: 'gov.office', role: 'governor-office', placeCode: '02', province: '02', lang: 'fa' };
const sari: AuthUser = { id: 's', username: 'sari.governor', role: 'county-governor', placeCode: '0207', province: '02', lang: 'fa' };
const ruralOfficer: AuthUser = { id: 'r', username: 'rural.officer', role: 'agency-officer', placeCode: '02', province: '02', agency: 'rural-affairs', lang: 'fa' };
const at = (year: number, month: number, day: number, hour = 10) => fromJalali({ year, month, day }, { hour });
const d = (year: number, month: number, day: number): JalaliDate => ({ year, month, day });
const where = { location: 'فرمانداری ساری', agenda: 'پیگیری سهمیه‌ها' };

/** The ICS attachment's unfolded lines. */
function icsLines(message: OutboxMessageRecord): string[] {
  return message.attachments![0]!.content.replace(/\r\n /g, '').split('\r\n');
}

describe('Meetings, compliance and commitments', () => {
  let committee: string;

  before(async () => {
    await resetDatabase();
    await loadPlaces('0207');
    await ensureAgencyRegister();
    committee = String(
      (
        await createCommittee(governor, {
          kind: 'county-strategic',
          place: '0207',
          name: 'ستاد راهبردی شهرستان ساری',
          meetsMonthly: true,
          chair: { name: 'فرماندار ساری', email: 'farmandar@sari.example.ir' },
          members: [{ kind: 'person', name: 'نماینده صندوق', email: 'fund@sari.example.ir' }, { kind: 'agency', agency: 'rural-affairs' }],
        })
      )._id,
    );
  });

  describe('invitations', () => {
    it('send one calendar entry per member in Tehran time, and updates with the same UID and a higher SEQUENCE', async () => {
      const meeting = await scheduleMeeting(sari, committee, { startsAt: at(1404, 12, 20), ...where }, mail, at(1404, 12, 1));
      await rescheduleMeeting(sari, String(meeting._id), { startsAt: at(1404, 12, 27, 9), ...where }, mail, at(1404, 12, 2));
      await cancelMeeting(sari, String(meeting._id), 'تعطیلی', mail, at(1404, 12, 3));
      const sent = await OutboxMessage.find({ dedupeKey: new RegExp(`^meeting:${String(meeting._id)}:`), to: 'fund@sari.example.ir' }).sort({ createdAt: 1 }).lean<OutboxMessageRecord[]>();
      expect(sent.map((m) => m.kind)).to.deep.equal(['meeting-invitation', 'meeting-update', 'meeting-cancel']);
      const [first, update, cancel] = sent.map(icsLines);
      const uid = `UID:meeting-${String(meeting._id)}@tracker.example.ir`;
      for (const lines of [first!, update!, cancel!]) expect(lines).to.include(uid).and.include('TZID:Asia/Tehran');
      expect(first).to.include('SEQUENCE:0').and.include('METHOD:REQUEST').and.include('DTSTART;TZID=Asia/Tehran:20260311T100000');
      expect(update).to.include('SEQUENCE:1').and.include('DTSTART;TZID=Asia/Tehran:20260318T090000');
      expect(cancel).to.include('SEQUENCE:2').and.include('METHOD:CANCEL').and.include('STATUS:CANCELLED');
      expect(sent[0]!.subject).to.equal('دعوت به جلسه ستاد راهبردی شهرستان ساری — ۲۰ اسفند ۱۴۰۴، ساعت ۱۰:۰۰');
      expect(sent[2]!.text).to.contain('جلسه ستاد راهبردی شهرستان ساری لغو شد.');
      // the chair and the named member are mailed; the agency seat has no mailbox yet
      expect(await OutboxMessage.countDocuments({ dedupeKey: new RegExp(`^meeting:${String(meeting._id)}:0:`) })).to.equal(2);
    });
  });

  describe('the compliance grid', () => {
    before(async () => {
      // Farvardin: held. Ordibehesht: nothing. Khordad: moved into Tir and held there. Mordad: cancelled.
      // Shahrivar: scheduled, never recorded. Aban: scheduled ahead. (Esfand's meeting above was cancelled, but Esfand is still to come.)
      const farvardin = await scheduleMeeting(sari, committee, { startsAt: at(1404, 1, 20), ...where }, mail, at(1403, 12, 20));
      await recordHeld(sari, String(farvardin._id), { attendance: [{ name: 'فرماندار ساری', present: true }] }, at(1404, 1, 21));
      const khordad = await scheduleMeeting(sari, committee, { startsAt: at(1404, 3, 25), ...where }, mail, at(1404, 3, 1));
      await rescheduleMeeting(sari, String(khordad._id), { startsAt: at(1404, 4, 5), ...where }, mail, at(1404, 3, 20));
      await recordHeld(sari, String(khordad._id), { attendance: [] }, at(1404, 4, 5, 14));
      const mordad = await scheduleMeeting(sari, committee, { startsAt: at(1404, 5, 10), ...where }, mail, at(1404, 5, 1));
      await cancelMeeting(sari, String(mordad._id), 'حد نصاب نرسید', mail, at(1404, 5, 9));
      await scheduleMeeting(sari, committee, { startsAt: at(1404, 6, 10), ...where }, mail, at(1404, 6, 1));
      await scheduleMeeting(sari, committee, { startsAt: at(1404, 8, 10), ...where }, mail, at(1404, 6, 1));
    });

    it('shows held, missed (skipped, moved away, cancelled) and scheduled months for a county', async () => {
      const grid = await complianceGrid({ place: '0207', year: 1404, today: at(1404, 6, 20) });
      expect(grid.committees).to.have.length(1);
      expect(grid.committees[0]!.months.map((m) => m.state)).to.deep.equal(['held', 'missed', 'missed', 'held', 'missed', 'scheduled', 'notDue', 'scheduled', 'notDue', 'notDue', 'notDue', 'notDue']);
    });

    it('counts a month whose meeting was never recorded as missed once the month is over, and this month as due', async () => {
      const grid = await complianceGrid({ place: '0207', year: 1404, today: at(1404, 7, 5) });
      expect(grid.committees[0]!.months.slice(5, 8).map((m) => m.state)).to.deep.equal(['missed', 'due', 'scheduled']);
      expect(grid.currentMonth).to.equal('1404-07');
    });

    it('tells the reminder jobs which committees have no meeting in a month, which meetings are near, and which lack minutes', async () => {
      expect((await monthlyCommitteesWithoutMeeting(1404, 2)).map((c) => c.name)).to.deep.equal(['ستاد راهبردی شهرستان ساری']);
      expect(await monthlyCommitteesWithoutMeeting(1404, 1)).to.deep.equal([]);
      const soon = await meetingsStartingWithin(7, at(1404, 8, 5));
      expect(soon.map(({ meeting, committee: c }) => [meeting.month, c.name])).to.deep.equal([['1404-08', 'ستاد راهبردی شهرستان ساری']]);
      const noMinutes = await heldMeetingsWithoutMinutes(3, at(1404, 4, 10));
      expect(noMinutes.map(({ meeting }) => meeting.month)).to.deep.equal(['1404-01', '1404-04']);
      await saveMinutes(sari, String(noMinutes[0]!.meeting._id), 'خلاصه مذاکرات', at(1404, 4, 10));
      expect((await heldMeetingsWithoutMinutes(3, at(1404, 4, 10))).map(({ meeting }) => meeting.month)).to.deep.equal(['1404-04']);
    });

    it('refuses approving minutes that were never written, and minutes on a scheduled meeting', async () => {
      const [{ meeting }] = await heldMeetingsWithoutMinutes(3, at(1404, 4, 10));
      try {
        await approveMinutes(sari, String(meeting!._id), at(1404, 4, 11));
        expect.fail('approved without minutes');
      } catch (err) {
        expect((err as { messageKey: string }).messageKey).to.equal('committees.minutesMissing');
      }
      const upcoming = (await meetingsStartingWithin(7, at(1404, 8, 5)))[0]!.meeting;
      try {
        await saveMinutes(sari, String(upcoming._id), 'پیش از جلسه', at(1404, 8, 5));
        expect.fail('minutes before the meeting');
      } catch (err) {
        expect((err as { messageKey: string }).messageKey).to.equal('committees.minutesBeforeHeld');
      }
    });
  });

  describe('commitments', () => {
    let meeting: string;
    before(async () => {
      meeting = String((await scheduleMeeting(sari, committee, { startsAt: at(1403, 11, 30), ...where }, mail, at(1403, 11, 1)))._id);
    });

    it('are overdue the day after their due date, derived on the day asked and never stored', async () => {
      const created = await addResolution(sari, meeting, { text: 'جلسه با شهرداران', agency: 'urban-affairs', deadline: { type: 'within', months: 1 } }, at(1403, 11, 30));
      // one month from 30 Bahman 1403 (a leap year) is 30 Esfand
      expect(created.dueOn).to.deep.include({ year: 1403, month: 12, day: 30 });
      const onTheDay = await listResolutions('system', { agency: 'urban-affairs' }, at(1403, 12, 30, 23));
      expect(onTheDay.map((r) => r.state)).to.deep.equal(['open']);
      const dayAfter = await listResolutions('system', { agency: 'urban-affairs', status: 'overdue' }, at(1404, 1, 1, 1));
      expect(dayAfter.map((r) => [r.state, r.status])).to.deep.equal([['overdue', 'open']]);
    });

    it('recur monthly with one due instance per Jalali month, Esfand ending on the 30th in leap 1403 and the 29th in 1404', async () => {
      const created = await addResolution(sari, meeting, { text: 'گزارش ماهانه سهمیه دهیاران', agency: 'rural-affairs', deadline: { type: 'monthly', until: d(1404, 12, 29) } }, at(1403, 11, 30));
      const [view] = await listResolutions('system', { agency: 'rural-affairs' }, at(1405, 2, 1));
      expect(view!.instances).to.have.length(14);
      expect(view!.instances[1]).to.deep.include({ period: '1403-12', due: d(1403, 12, 30) });
      expect(view!.instances.at(-1)).to.deep.include({ period: '1404-12', due: d(1404, 12, 29) });
      // the officer reports Bahman on time and Esfand late
      await postUpdate(ruralOfficer, String(created._id), { text: 'گزارش بهمن', status: 'done' }, at(1403, 11, 30, 12));
      await postUpdate(ruralOfficer, String(created._id), { text: 'گزارش اسفند', status: 'done', progress: 20 }, at(1404, 1, 3, 12));
      const due = await commitmentInstancesDue({ from: d(1403, 11, 1), to: d(1404, 1, 31), today: at(1404, 2, 5) });
      expect(due.filter((i) => i.resolution === String(created._id)).map((i) => [i.period, i.state])).to.deep.equal([
        ['1403-11', 'done'],
        ['1403-12', 'done-late'],
        ['1404-01', 'overdue'],
      ]);
      expect(due.find((i) => i.period === '1404-01')!.lastUpdateAt).to.be.instanceOf(Date);
    });

    it('get distinct numbers 1, 2, 3… when recorded at the same moment', async () => {
      const other = String((await scheduleMeeting(sari, committee, { startsAt: at(1403, 10, 10), ...where }, mail, at(1403, 10, 1)))._id);
      const recorded = await Promise.all(
        Array.from({ length: 6 }, (_, i) => addResolution(sari, other, { text: `مصوبه ${i + 1}`, agency: 'fund', deadline: { type: 'within', months: 1 } })),
      );
      expect(recorded.map((r) => r.number).sort()).to.deep.equal([1, 2, 3, 4, 5, 6]);
    });

    it('refuse a deadline before the meeting, and a cancellation by an agency officer', async () => {
      try {
        await addResolution(sari, meeting, { text: 'x', agency: 'fund', deadline: { type: 'monthly', until: d(1403, 11, 29) } });
        expect.fail('accepted');
      } catch (err) {
        expect((err as { fields: Record<string, string> }).fields).to.deep.equal({ deadline: 'committees.deadline.beforeMeeting' });
      }
      const [view] = await listResolutions('system', { agency: 'rural-affairs' });
      try {
        await postUpdate(ruralOfficer, view!.id, { text: 'لغو', status: 'cancelled' });
        expect.fail('cancelled by an officer');
      } catch (err) {
        expect((err as { messageKey: string }).messageKey).to.equal('committees.onlyGovernorCancels');
      }
    });
  });
});
