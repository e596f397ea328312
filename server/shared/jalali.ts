import * as jalaali from 'jalaali-js';
import { toLatinDigits, toPersianDigits } from './persian-text.js';

/** Instants are stored in UTC; calendar days are those of Iran's official time zone. */
export const TEHRAN = 'Asia/Tehran';

export interface JalaliDate {
  year: number;
  month: number;
  day: number;
}

export interface JalaliDateTime extends JalaliDate {
  hour: number;
  minute: number;
}

/** Calendar data, like Intl's: the month names of the Solar Hijri calendar. */
const MONTH_NAMES: Record<'fa' | 'en', readonly string[]> = {
  fa: ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'],
  en: ['Farvardin', 'Ordibehesht', 'Khordad', 'Tir', 'Mordad', 'Shahrivar', 'Mehr', 'Aban', 'Azar', 'Dey', 'Bahman', 'Esfand'],
};

export function jalaliMonthName(month: number, lang: 'fa' | 'en' = 'fa'): string {
  return MONTH_NAMES[lang][month - 1];
}

export function isLeapJalaliYear(year: number): boolean {
  return jalaali.isLeapJalaaliYear(year);
}

export function jalaliMonthLength(year: number, month: number): number {
  return jalaali.jalaaliMonthLength(year, month);
}

export function isValidJalaliDate(date: JalaliDate): boolean {
  return jalaali.isValidJalaaliDate(date.year, date.month, date.day);
}

const DAY = 86_400_000;

/**
 * How far a zone's clocks are ahead of UTC (ms) during one UTC day: `before` until the instant `changesAt`, `after`
 * from it on. A day without a change has `before === after` and `changesAt` at the next day's start. Zones change
 * their offset at most once a day (Iran twice a year until 2022, at 20:30 or 19:30 UTC, never since), so the offsets at
 * two consecutive midnights tell whether the day between them changed.
 */
interface DayOffsets {
  before: number;
  after: number;
  changesAt: number;
}

/**
 * The offsets and Jalali dates already worked out, per zone and per day: Intl is slow (8 µs a `formatToParts`),
 * and enrolments bring birth dates spread over half a century. 40,000 days is 110 years of a zone's days; when a
 * cache is full, the day it has kept longest goes first.
 */
export const DAYS_KEPT = 40_000;

class DayCache<V> {
  private readonly days = new Map<number, V>();

  get(day: number): V | undefined {
    return this.days.get(day);
  }

  set(day: number, value: V): void {
    if (this.days.size >= DAYS_KEPT) this.days.delete(this.days.keys().next().value as number);
    this.days.set(day, value);
  }

  get size(): number {
    return this.days.size;
  }
}

const zones = new Map<string, { formatter: Intl.DateTimeFormat; offsets: DayCache<DayOffsets> }>();
/** The Jalali date of each Gregorian day (days since 1970-01-01), whatever the zone. */
const jalaliDays = new DayCache<JalaliDate>();

function zone(timeZone: string) {
  let found = zones.get(timeZone);
  if (!found) {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    found = { formatter, offsets: new DayCache<DayOffsets>() };
    zones.set(timeZone, found);
  }
  return found;
}

/** The zone's offset at an instant, read from Intl (whole seconds: Tehran's mean time until 1935 was +3:25:44). */
function intlOffset(ms: number, formatter: Intl.DateTimeFormat): number {
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(ms)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const second = Math.floor(ms / 1000) * 1000;
  return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour, fields.minute, fields.second) - second;
}

function dayOffsets(day: number, timeZone: string): DayOffsets {
  const { formatter, offsets } = zone(timeZone);
  const known = offsets.get(day);
  if (known) return known;
  // a neighbouring day already read shares its midnight with this one
  const before = offsets.get(day - 1)?.after ?? intlOffset(day * DAY, formatter);
  const after = offsets.get(day + 1)?.before ?? intlOffset((day + 1) * DAY, formatter);
  let changesAt = (day + 1) * DAY;
  if (before !== after) {
    // the first second of the new offset (zones change on whole seconds)
    let low = day * DAY;
    while (changesAt - low > 1000) {
      const middle = low + Math.floor((changesAt - low) / 2000) * 1000;
      if (intlOffset(middle, formatter) === after) changesAt = middle;
      else low = middle;
    }
  }
  const found = { before, after, changesAt };
  offsets.set(day, found);
  return found;
}

/**
 * The instant as the zone's clocks show it, in ms counted like UTC (so `getUTC*` read the wall clock). History is
 * Intl's (ICU's time zone data: Iran's summer time until 1401, none since); Intl is asked once per UTC midnight,
 * and about 17 times more on a day the clocks changed.
 */
function wallTime(instant: Date, timeZone: string): number {
  const ms = instant.getTime();
  const offsets = dayOffsets(Math.floor(ms / DAY), timeZone);
  return ms + (ms < offsets.changesAt ? offsets.before : offsets.after);
}

function jalaliOfDay(day: number): JalaliDate {
  let date = jalaliDays.get(day);
  if (!date) {
    const g = new Date(day * DAY);
    const j = jalaali.toJalaali(g.getUTCFullYear(), g.getUTCMonth() + 1, g.getUTCDate());
    date = { year: j.jy, month: j.jm, day: j.jd };
    jalaliDays.set(day, date);
  }
  return date;
}

/** The Jalali calendar date and time of an instant, as a clock in Tehran shows it. */
export function toJalali(instant: Date, timeZone = TEHRAN): JalaliDateTime {
  const wall = wallTime(instant, timeZone);
  const day = Math.floor(wall / DAY);
  const minutes = Math.floor((wall - day * DAY) / 60_000);
  const date = jalaliOfDay(day);
  return { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 };
}

/** How many days each conversion cache holds now (tests check that they stay bounded). */
export function jalaliCacheSizes(timeZone = TEHRAN): { offsetDays: number; jalaliDays: number } {
  return { offsetDays: zones.get(timeZone)?.offsets.size ?? 0, jalaliDays: jalaliDays.size };
}

/** The instant at which a Tehran clock shows the given Jalali date and time (midnight by default). */
export function fromJalali(date: JalaliDate, time: { hour?: number; minute?: number } = {}, timeZone = TEHRAN): Date {
  const g = jalaali.toGregorian(date.year, date.month, date.day);
  const wanted = Date.UTC(g.gy, g.gm - 1, g.gd, time.hour ?? 0, time.minute ?? 0);
  // Two passes settle the zone offset, including on days when it changed.
  let guess = wanted;
  for (let pass = 0; pass < 2; pass++) guess += wanted - wallTime(new Date(guess), timeZone);
  return new Date(guess);
}

export function compareJalali(a: JalaliDate, b: JalaliDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * Adds calendar months. A day that the target month lacks is clamped to its last day,
 * the way an office counts "within one month" from 30 Bahman (to 29 or 30 Esfand).
 */
export function addJalaliMonths(date: JalaliDate, months: number): JalaliDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, jalaliMonthLength(year, month)) };
}

export function addJalaliDays(date: JalaliDate, days: number): JalaliDate {
  const g = jalaali.toGregorian(date.year, date.month, date.day);
  const shifted = new Date(Date.UTC(g.gy, g.gm - 1, g.gd + days));
  const j = jalaali.toJalaali(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
  return { year: j.jy, month: j.jm, day: j.jd };
}

/** Days from a to b (positive when b is later). */
export function jalaliDaysBetween(a: JalaliDate, b: JalaliDate): number {
  const ga = jalaali.toGregorian(a.year, a.month, a.day);
  const gb = jalaali.toGregorian(b.year, b.month, b.day);
  return Math.round((Date.UTC(gb.gy, gb.gm - 1, gb.gd) - Date.UTC(ga.gy, ga.gm - 1, ga.gd)) / 86_400_000);
}

/** [start, end) instants of a Jalali month in Tehran. */
export function jalaliMonthBounds(year: number, month: number): { start: Date; end: Date } {
  const next = addJalaliMonths({ year, month, day: 1 }, 1);
  return { start: fromJalali({ year, month, day: 1 }), end: fromJalali(next) };
}

/** [start, end) instants of a Jalali year (1 Farvardin to the end of Esfand) in Tehran. */
export function jalaliYearBounds(year: number): { start: Date; end: Date } {
  return { start: fromJalali({ year, month: 1, day: 1 }), end: fromJalali({ year: year + 1, month: 1, day: 1 }) };
}

export function lastDayOfJalaliYear(year: number): JalaliDate {
  return { year, month: 12, day: jalaliMonthLength(year, 12) };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `1397/05/03` (Latin digits): the canonical text form used in CSV files and the API. */
export function formatJalaliDate(date: JalaliDate): string {
  return `${pad(date.year, 4)}/${pad(date.month)}/${pad(date.day)}`;
}

/** `YYYY-MM`, the key of a Jalali month in reports and URLs. */
export function jalaliMonthKey(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}`;
}

export function parseJalaliMonthKey(text: string): { year: number; month: number } | null {
  const match = /^(\d{4})-(\d{1,2})$/.exec(toLatinDigits(text.trim()));
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? { year, month } : null;
}

/** Reads `YYYY/MM/DD` or `YYYY-MM-DD` in Persian, Arabic-Indic or Latin digits; null when it is no real Jalali date. */
export function parseJalaliDate(text: string): JalaliDate | null {
  const match = /^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$/.exec(toLatinDigits(text.trim()));
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isValidJalaliDate(date) ? date : null;
}

/** A date for people: `۳ مرداد ۱۳۹۷` in Persian, `3 Mordad 1397` in English; with the time when asked. */
export function formatJalaliForDisplay(instant: Date, lang: 'fa' | 'en' = 'fa', options: { withTime?: boolean } = {}): string {
  const j = toJalali(instant);
  let text = `${j.day} ${jalaliMonthName(j.month, lang)} ${j.year}`;
  if (options.withTime) text += lang === 'fa' ? `، ساعت ${pad(j.hour)}:${pad(j.minute)}` : `, ${pad(j.hour)}:${pad(j.minute)}`;
  return lang === 'fa' ? toPersianDigits(text) : text;
}

/** `۱۳۹۷/۰۵/۰۳` in Persian, `1397/05/03` in English. */
export function formatJalaliShort(instant: Date, lang: 'fa' | 'en' = 'fa'): string {
  const text = formatJalaliDate(toJalali(instant));
  return lang === 'fa' ? toPersianDigits(text) : text;
}
