import { expect } from 'chai';
import {
  DEADLINE_REASONS,
  deadlineStatus,
  dueDate,
  recurringInstances,
  validateDeadline,
  type DeadlineSpec,
} from '../../../server/committees/deadlines.js';

const d = (year: number, month: number, day: number) => ({ year, month, day });

describe('resolution deadlines', () => {
  describe('the due date of a one-off deadline', () => {
    it('is one month from 30 Bahman: 30 Esfand in leap 1403, 29 Esfand in common 1404', () => {
      expect(dueDate({ type: 'within', months: 1 }, d(1403, 11, 30))).to.deep.equal(d(1403, 12, 30));
      expect(dueDate({ type: 'within', months: 1 }, d(1404, 11, 30))).to.deep.equal(d(1404, 12, 29));
    });

    it('is the end of Esfand six months from 31 Shahrivar', () => {
      expect(dueDate({ type: 'within', months: 6 }, d(1403, 6, 31))).to.deep.equal(d(1403, 12, 30));
      expect(dueDate({ type: 'within', months: 6 }, d(1404, 6, 31))).to.deep.equal(d(1404, 12, 29));
    });

    it('adds days across the turn of the year, and months before days', () => {
      expect(dueDate({ type: 'within', days: 10 }, d(1404, 12, 25))).to.deep.equal(d(1405, 1, 6));
      expect(dueDate({ type: 'within', months: 1, days: 10 }, d(1397, 5, 3))).to.deep.equal(d(1397, 6, 13));
    });

    it('is the date itself for a fixed date, and none for a monthly recurrence', () => {
      expect(dueDate({ type: 'date', date: d(1397, 7, 15) }, d(1397, 5, 3))).to.deep.equal(d(1397, 7, 15));
      expect(dueDate({ type: 'monthly' }, d(1397, 5, 3))).to.equal(null);
    });
  });

  describe('monthly instances', () => {
    it('run from the month of communication, each due on its last day, across Esfand of leap 1403', () => {
      expect(recurringInstances({ type: 'monthly' }, d(1403, 11, 10), d(1404, 2, 5))).to.deep.equal([
        { periodKey: '1403-11', due: d(1403, 11, 30) },
        { periodKey: '1403-12', due: d(1403, 12, 30) },
        { periodKey: '1404-01', due: d(1404, 1, 31) },
        { periodKey: '1404-02', due: d(1404, 2, 31) },
      ]);
    });

    it('end Esfand on the 29th in common 1404', () => {
      const instances = recurringInstances({ type: 'monthly' }, d(1404, 12, 1), d(1405, 1, 1));
      expect(instances).to.deep.equal([
        { periodKey: '1404-12', due: d(1404, 12, 29) },
        { periodKey: '1405-01', due: d(1405, 1, 31) },
      ]);
    });

    it('stop at until, the last one due on until itself', () => {
      const spec: DeadlineSpec = { type: 'monthly', until: d(1397, 7, 15) };
      expect(recurringInstances(spec, d(1397, 5, 3), d(1398, 1, 1))).to.deep.equal([
        { periodKey: '1397-05', due: d(1397, 5, 31) },
        { periodKey: '1397-06', due: d(1397, 6, 31) },
        { periodKey: '1397-07', due: d(1397, 7, 15) },
      ]);
    });

    it('are none for a one-off deadline, or before the communication month', () => {
      expect(recurringInstances({ type: 'within', months: 1 }, d(1397, 5, 3), d(1398, 1, 1))).to.deep.equal([]);
      expect(recurringInstances({ type: 'monthly' }, d(1397, 5, 3), d(1397, 4, 20))).to.deep.equal([]);
    });
  });

  describe('status on a given day', () => {
    const due = d(1404, 12, 29);
    it('is open up to and on the due day, overdue the day after', () => {
      expect(deadlineStatus({ due }, d(1404, 12, 29))).to.equal('open');
      expect(deadlineStatus({ due }, d(1405, 1, 1))).to.equal('overdue');
    });
    it('is done when done by the due day, done-late after it, whatever today is', () => {
      expect(deadlineStatus({ due, doneOn: d(1404, 12, 29) }, d(1405, 2, 1))).to.equal('done');
      expect(deadlineStatus({ due, doneOn: d(1405, 1, 2) }, d(1405, 2, 1))).to.equal('done-late');
    });
    it('is cancelled when cancelled, even if overdue', () => {
      expect(deadlineStatus({ due, cancelled: true }, d(1405, 2, 1))).to.equal('cancelled');
    });
    it('never becomes overdue without a due date', () => {
      expect(deadlineStatus({ due: null }, d(1499, 1, 1))).to.equal('open');
    });
  });

  describe('validation against the meeting date', () => {
    const meeting = d(1397, 5, 3);
    it('refuses a fixed date before the meeting, accepts the meeting day and later', () => {
      expect(validateDeadline({ type: 'date', date: d(1397, 5, 2) }, meeting)).to.deep.equal({ ok: false, reason: 'deadline.beforeMeeting' });
      expect(validateDeadline({ type: 'date', date: d(1397, 5, 3) }, meeting)).to.deep.equal({ ok: true });
      expect(validateDeadline({ type: 'monthly', until: d(1397, 1, 1) }, meeting)).to.deep.equal({ ok: false, reason: 'deadline.beforeMeeting' });
    });
    it('refuses nonsense: no months nor days, negative or fractional counts, impossible dates, unknown types', () => {
      for (const spec of [
        { type: 'within' },
        { type: 'within', months: 0, days: 0 },
        { type: 'within', months: -1 },
        { type: 'within', days: 1.5 },
        { type: 'date', date: d(1404, 12, 30) },
        { type: 'yearly' },
      ]) {
        expect(validateDeadline(spec as DeadlineSpec, meeting), JSON.stringify(spec)).to.deep.equal({ ok: false, reason: 'deadline.invalid' });
      }
      expect(validateDeadline({ type: 'within', months: 1 }, meeting)).to.deep.equal({ ok: true });
      expect(validateDeadline({ type: 'monthly' }, meeting)).to.deep.equal({ ok: true });
    });
    it('exports both reason keys', () => {
      expect(DEADLINE_REASONS).to.have.members(['deadline.beforeMeeting', 'deadline.invalid']);
    });
  });
});
