import { expect } from 'chai';
import * as jalaali from 'jalaali-js';
import {
  DAYS_KEPT,
  addJalaliDays,
  addJalaliMonths,
  formatJalaliForDisplay,
  formatJalaliShort,
  fromJalali,
  isLeapJalaliYear,
  jalaliCacheSizes,
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

/**
 * The conversions keep what Intl told them per day; these compare them with Intl asked every time (the reference
 * below, the conversion as it was before the cache), over Iran's summer times (1977–1980, 1991–2022) and the years
 * without (2023 on).
 */
describe('the Jalali calendar helper, remembering each day', () => {
  const reference = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tehran', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const DAY = 86_400_000;
  /** The Tehran wall clock of an instant, straight from Intl, as ms counted like UTC. */
  const intlWall = (ms: number) => {
    const f: Record<string, number> = {};
    for (const part of reference.formatToParts(ms)) if (part.type !== 'literal') f[part.type] = Number(part.value);
    return Date.UTC(f.year!, f.month! - 1, f.day!, f.hour, f.minute, f.second);
  };
  const intlJalali = (ms: number) => {
    const wall = new Date(intlWall(ms));
    const j = jalaali.toJalaali(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate());
    return { year: j.jy, month: j.jm, day: j.jd, hour: wall.getUTCHours(), minute: wall.getUTCMinutes() };
  };
  /** Tehran midnight of a Jalali day the way the helper found it before it remembered days: two passes over Intl. */
  const intlFromJalali = (date: { year: number; month: number; day: number }) => {
    const g = jalaali.toGregorian(date.year, date.month, date.day);
    const wanted = Date.UTC(g.gy, g.gm - 1, g.gd);
    let guess = wanted;
    for (let pass = 0; pass < 2; pass++) guess += wanted - intlWall(guess);
    return guess;
  };
  /** The instants (ISO) at which the helper and Intl disagree, with both answers. */
  const differences = (instants: number[]) =>
    instants.flatMap((ms) => {
      const [mine, intl] = [JSON.stringify(toJalali(new Date(ms))), JSON.stringify(intlJalali(ms))];
      return mine === intl ? [] : [`${new Date(ms).toISOString()}: ${mine} ≠ ${intl}`];
    });
  /** The instants at which Tehran's clocks changed, found by Intl day by day (a change falls between two midnights). */
  const changes = (from: number, to: number) => {
    const found: number[] = [];
    for (let day = from; day < to; day += DAY) {
      if (intlWall(day) - day === intlWall(day + DAY) - (day + DAY)) continue;
      let low = day;
      let high = day + DAY;
      while (high - low > 1000) {
        const middle = low + Math.floor((high - low) / 2000) * 1000;
        if (intlWall(middle) - middle === intlWall(day + DAY) - (day + DAY)) high = middle;
        else low = middle;
      }
      found.push(high);
    }
    return found;
  };

  it('moved the clocks twice a year until 2022, the way Iran kept summer time (forward at 20:30 UTC, back at 19:30), and never since', () => {
    const before = changes(Date.UTC(2020, 0, 1), Date.UTC(2023, 0, 1)).map((ms) => new Date(ms).toISOString());
    // 1399–1401: forward at 00:00 on 2 Farvardin, back at 24:00 on 30 Shahrivar (the 1400 dates below)
    expect(before).to.deep.equal(['2020-03-20T20:30:00.000Z', '2020-09-20T19:30:00.000Z', '2021-03-21T20:30:00.000Z', '2021-09-21T19:30:00.000Z', '2022-03-21T20:30:00.000Z', '2022-09-21T19:30:00.000Z']);
    expect(changes(Date.UTC(2023, 0, 1), Date.UTC(2031, 0, 1))).to.deep.equal([]);
    expect(toJalali(new Date('2021-03-21T20:29:59Z'))).to.deep.equal({ year: 1400, month: 1, day: 1, hour: 23, minute: 59 });
    expect(toJalali(new Date('2021-03-21T20:30:00Z'))).to.deep.equal({ year: 1400, month: 1, day: 2, hour: 1, minute: 0 });
    expect(toJalali(new Date('2021-09-21T19:29:59Z'))).to.deep.equal({ year: 1400, month: 6, day: 30, hour: 23, minute: 59 });
    expect(toJalali(new Date('2021-09-21T19:30:00Z'))).to.deep.equal({ year: 1400, month: 6, day: 30, hour: 23, minute: 0 });
    // summer 1402 and 1404 keep Iran's standard time, +03:30
    expect(toJalali(new Date('2023-07-01T08:30:00Z'))).to.include({ hour: 12, minute: 0 });
    expect(fromJalali({ year: 1404, month: 4, day: 10 }, { hour: 12 }).toISOString()).to.equal('2025-07-01T08:30:00.000Z');
  });

  it('gives what Intl gives minute by minute for two hours around every change of the clocks from 1977 to 2022', () => {
    const all = changes(Date.UTC(1977, 0, 1), Date.UTC(2023, 1, 1));
    expect(all.length).to.be.greaterThan(60);
    const instants = all.flatMap((at) => [at - 1000, ...Array.from({ length: 121 }, (_, i) => at - 3_600_000 + i * 60_000)]);
    expect(differences(instants)).to.deep.equal([]);
  });

  it('gives what Intl gives for every day from 1975 to 2030, at noon and around Tehran midnight, and finds each midnight the same', () => {
    const instants: number[] = [];
    for (let day = Date.UTC(1975, 0, 1); day < Date.UTC(2031, 0, 1); day += DAY) instants.push(day + 12 * 3_600_000, day + 19 * 3_600_000 + 45 * 60_000, day + 20 * 3_600_000 + 45 * 60_000);
    expect(differences(instants)).to.deep.equal([]);
    const wrongMidnights: string[] = [];
    for (let year = 1354; year <= 1410; year++) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 2, 15, jalaliMonthLength(year, month)]) {
          if (fromJalali({ year, month, day }).getTime() !== intlFromJalali({ year, month, day })) wrongMidnights.push(`${year}/${month}/${day}`);
        }
      }
    }
    expect(wrongMidnights).to.deep.equal([]);
  });

  it('ends a leap year on 30 Esfand and a common year on 29 Esfand, at Tehran midnight, in the summer-time years and after', () => {
    const leapYears = [1362, 1366, 1370, 1375, 1379, 1383, 1387, 1391, 1395, 1399, 1403, 1408];
    // from 1360 on, summer time began on 2 Farvardin at the earliest (in 1359 Nowruz itself began at 01:00)
    for (let year = 1360; year <= 1410; year++) {
      const last = { year, month: 12, day: leapYears.includes(year) ? 30 : 29 };
      expect(isLeapJalaliYear(year), String(year)).to.equal(leapYears.includes(year));
      const lastDay = fromJalali(last);
      const nowruz = fromJalali({ year: year + 1, month: 1, day: 1 });
      expect(toJalali(lastDay), `${year}`).to.deep.equal({ ...last, hour: 0, minute: 0 });
      expect(toJalali(new Date(nowruz.getTime() - 1)), `${year}`).to.deep.equal({ ...last, hour: 23, minute: 59 });
      expect(toJalali(nowruz), `${year}`).to.deep.equal({ year: year + 1, month: 1, day: 1, hour: 0, minute: 0 });
      // Nowruz was always in standard time: the clocks moved a day later
      expect(nowruz.getTime() - lastDay.getTime(), `${year}`).to.equal(DAY);
    }
    expect(fromJalali({ year: 1399, month: 12, day: 30 }).toISOString()).to.equal('2021-03-19T20:30:00.000Z');
  });

  it('keeps at most DAYS_KEPT days, and still answers right for days it let go', () => {
    const start = Date.UTC(1900, 0, 1);
    const first = new Date(start + 12 * 3_600_000);
    const firstAnswer = toJalali(first);
    for (let day = 0; day <= DAYS_KEPT + 1_000; day++) toJalali(new Date(start + day * DAY));
    const sizes = jalaliCacheSizes();
    expect(sizes.offsetDays).to.be.at.most(DAYS_KEPT);
    expect(sizes.jalaliDays).to.be.at.most(DAYS_KEPT);
    expect(toJalali(first)).to.deep.equal(firstAnswer);
    expect(toJalali(first)).to.deep.equal(intlJalali(first.getTime()));
  });
});
