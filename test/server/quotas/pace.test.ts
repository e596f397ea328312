import { expect } from 'chai';
import { PaceError, expectedByDate, paceStatus, percent } from '../../../server/quotas/pace.js';
import { fromJalali, jalaliMonthBounds } from '../../../server/shared/jalali.js';

const at = (year: number, month: number, day: number, hour = 10) => fromJalali({ year, month, day }, { hour });

describe('the pace of a quota', () => {
  describe('without milestones', () => {
    // Farvardin 1404 has 31 days: 10 a day for a target of 310.
    const plan = { target: 310, ...jalaliMonthBounds(1404, 1) };

    it('expects nothing before the start', () => {
      expect(expectedByDate(plan, at(1403, 12, 29))).to.equal(0);
    });

    it('grows by one day’s share per Tehran day, today included', () => {
      expect(expectedByDate(plan, at(1404, 1, 1))).to.be.closeTo(10, 1e-9);
      expect(expectedByDate(plan, at(1404, 1, 15))).to.be.closeTo(150, 1e-9);
      // 01:00 on 16 Farvardin in Tehran is 21:30 UTC on 4 April, the Gregorian day of 15 Farvardin:
      // the day counted is Tehran's.
      expect(at(1404, 1, 16, 1).toISOString()).to.equal('2025-04-04T21:30:00.000Z');
      expect(expectedByDate(plan, at(1404, 1, 16, 1))).to.be.closeTo(160, 1e-9);
    });

    it('expects the whole target on the last day and after the end', () => {
      expect(expectedByDate(plan, at(1404, 1, 31))).to.be.closeTo(310, 1e-9);
      expect(expectedByDate(plan, at(1404, 3, 1))).to.equal(310);
    });
  });

  describe('with monthly milestones', () => {
    const plan = {
      target: 400,
      start: fromJalali({ year: 1404, month: 7, day: 1 }),
      end: jalaliMonthBounds(1404, 9).end,
      milestones: [
        { month: '1404-08', cumulativeTarget: 250 },
        { month: '1404-07', cumulativeTarget: 100 },
        { month: '1404-09', cumulativeTarget: 400 },
      ],
    };

    it('reaches each month’s cumulative target at the end of that month', () => {
      expect(expectedByDate(plan, at(1404, 7, 30))).to.be.closeTo(100, 1e-9);
      expect(expectedByDate(plan, at(1404, 8, 30))).to.be.closeTo(250, 1e-9);
    });

    it('interpolates from the last completed month within the current one', () => {
      // Mehr and Aban have 30 days each.
      expect(expectedByDate(plan, at(1404, 7, 15))).to.be.closeTo(50, 1e-9);
      expect(expectedByDate(plan, at(1404, 8, 1))).to.be.closeTo(105, 1e-9);
      expect(expectedByDate(plan, at(1404, 8, 15))).to.be.closeTo(175, 1e-9);
    });

    it('holds the last milestone after it and expects nothing before the start', () => {
      expect(expectedByDate(plan, at(1404, 10, 5))).to.equal(400);
      expect(expectedByDate(plan, at(1404, 6, 31))).to.equal(0);
    });

    it('spreads a milestone over a month without one', () => {
      const gappy = { ...plan, milestones: [{ month: '1404-07', cumulativeTarget: 100 }, { month: '1404-09', cumulativeTarget: 400 }] };
      expect(expectedByDate(gappy, at(1404, 8, 30))).to.be.closeTo(250, 1e-9);
    });

    it('starts counting on the start day when the campaign starts mid-month', () => {
      const late = { ...plan, start: fromJalali({ year: 1404, month: 7, day: 16 }), milestones: [{ month: '1404-07', cumulativeTarget: 60 }] };
      expect(expectedByDate(late, at(1404, 7, 10))).to.equal(0);
      expect(expectedByDate(late, at(1404, 7, 20))).to.be.closeTo(20, 1e-9);
      expect(expectedByDate(late, at(1404, 7, 30))).to.be.closeTo(60, 1e-9);
    });

    it('refuses a milestone month that is not YYYY-MM', () => {
      const bad = { ...plan, milestones: [{ month: '1404/07', cumulativeTarget: 1 }] };
      expect(() => expectedByDate(bad, at(1404, 7, 10))).to.throw(PaceError).with.property('reason', 'pace.milestoneMonth');
    });
  });

  it('calls a holder behind below 90% of the expected count, ahead above 110%', () => {
    expect(paceStatus(89, 100)).to.equal('behind');
    expect(paceStatus(90, 100)).to.equal('on-pace');
    expect(paceStatus(110, 100)).to.equal('on-pace');
    expect(paceStatus(111, 100)).to.equal('ahead');
    expect(paceStatus(0, 0)).to.equal('on-pace');
    expect(paceStatus(3, 0)).to.equal('ahead');
  });

  it('gives percentages to one decimal, and 0 for a zero target', () => {
    expect(percent(1, 3)).to.equal(33.3);
    expect(percent(2, 3)).to.equal(66.7);
    expect(percent(150, 100)).to.equal(150);
    expect(percent(5, 0)).to.equal(0);
  });
});
