import { expect } from 'chai';
import {
  addJalaliDays,
  addJalaliMonths,
  formatJalaliForDisplay,
  formatJalaliShort,
  fromJalali,
  isLeapJalaliYear,
  jalaliMonthBounds,
  jalaliMonthLength,
  jalaliYearBounds,
  parseJalaliDate,
  toJalali,
} from '../../../server/shared/jalali.js';

describe('the Jalali calendar helper', () => {
  it('reads the seed meeting day, 3 Mordad 1397, as 25 July 2018 in Tehran', () => {
    const instant = fromJalali({ year: 1397, month: 5, day: 3 }, { hour: 10 });
    // Iran still kept summer time in 1397: 10:00 in Tehran was 05:30 UTC.
    expect(instant.toISOString()).to.equal('2018-07-25T05:30:00.000Z');
    expect(toJalali(instant)).to.include({ year: 1397, month: 5, day: 3, hour: 10, minute: 0 });
  });

  it('knows 1403 and 1399 are leap years and 1404 is not', () => {
    expect(isLeapJalaliYear(1403)).to.equal(true);
    expect(isLeapJalaliYear(1399)).to.equal(true);
    expect(isLeapJalaliYear(1404)).to.equal(false);
    expect(jalaliMonthLength(1403, 12)).to.equal(30);
    expect(jalaliMonthLength(1404, 12)).to.equal(29);
  });

  it('turns 30 Esfand of a leap year into the last day before Nowruz', () => {
    const lastDay = fromJalali({ year: 1403, month: 12, day: 30 });
    expect(lastDay.toISOString()).to.equal('2025-03-19T20:30:00.000Z');
    expect(addJalaliDays({ year: 1403, month: 12, day: 30 }, 1)).to.deep.equal({ year: 1404, month: 1, day: 1 });
  });

  it('steps from 29 Esfand of a common year straight to 1 Farvardin', () => {
    expect(addJalaliDays({ year: 1404, month: 12, day: 29 }, 1)).to.deep.equal({ year: 1405, month: 1, day: 1 });
  });

  it('places the instant just before Tehran midnight on the old day and just after on the new one', () => {
    const nowruz1404 = fromJalali({ year: 1404, month: 1, day: 1 });
    expect(toJalali(new Date(nowruz1404.getTime() - 1))).to.include({ year: 1403, month: 12, day: 30 });
    expect(toJalali(nowruz1404)).to.include({ year: 1404, month: 1, day: 1 });
  });

  it('ends the month of Shahrivar on day 31 and Mehr on day 30', () => {
    expect(addJalaliDays({ year: 1404, month: 6, day: 31 }, 1)).to.deep.equal({ year: 1404, month: 7, day: 1 });
    expect(addJalaliDays({ year: 1404, month: 7, day: 30 }, 1)).to.deep.equal({ year: 1404, month: 8, day: 1 });
  });

  it('clamps one month after 30 Bahman to the end of Esfand', () => {
    expect(addJalaliMonths({ year: 1403, month: 11, day: 30 }, 1)).to.deep.equal({ year: 1403, month: 12, day: 30 });
    expect(addJalaliMonths({ year: 1404, month: 11, day: 30 }, 1)).to.deep.equal({ year: 1404, month: 12, day: 29 });
  });

  it('counts six months from 31 Shahrivar into the next year', () => {
    expect(addJalaliMonths({ year: 1404, month: 6, day: 31 }, 6)).to.deep.equal({ year: 1404, month: 12, day: 29 });
    expect(addJalaliMonths({ year: 1403, month: 6, day: 31 }, 6)).to.deep.equal({ year: 1403, month: 12, day: 30 });
    expect(addJalaliMonths({ year: 1404, month: 10, day: 15 }, 6)).to.deep.equal({ year: 1405, month: 4, day: 15 });
  });

  it('bounds the months and the year in Tehran time', () => {
    const esfand = jalaliMonthBounds(1403, 12);
    expect(esfand.start.toISOString()).to.equal('2025-02-18T20:30:00.000Z');
    expect(esfand.end.toISOString()).to.equal('2025-03-20T20:30:00.000Z');
    const year = jalaliYearBounds(1404);
    expect(year.start.toISOString()).to.equal('2025-03-20T20:30:00.000Z');
    expect(year.end.toISOString()).to.equal('2026-03-20T20:30:00.000Z');
  });

  it('parses Persian, Arabic-Indic and Latin digits and refuses impossible days', () => {
    expect(parseJalaliDate('۱۳۹۷/۰۵/۰۳')).to.deep.equal({ year: 1397, month: 5, day: 3 });
    expect(parseJalaliDate('١٣٩٧-٥-٣')).to.deep.equal({ year: 1397, month: 5, day: 3 });
    expect(parseJalaliDate('1404/12/30')).to.equal(null);
    expect(parseJalaliDate('1403/12/30')).to.deep.equal({ year: 1403, month: 12, day: 30 });
    expect(parseJalaliDate('1404/07/31')).to.equal(null);
    expect(parseJalaliDate('yesterday')).to.equal(null);
  });

  it('shows dates in Persian digits with the month name, and in English on request', () => {
    const instant = fromJalali({ year: 1397, month: 5, day: 3 }, { hour: 9, minute: 5 });
    expect(formatJalaliForDisplay(instant)).to.equal('۳ مرداد ۱۳۹۷');
    expect(formatJalaliForDisplay(instant, 'fa', { withTime: true })).to.equal('۳ مرداد ۱۳۹۷، ساعت ۰۹:۰۵');
    expect(formatJalaliForDisplay(instant, 'en')).to.equal('3 Mordad 1397');
    expect(formatJalaliShort(instant)).to.equal('۱۳۹۷/۰۵/۰۳');
  });
});
