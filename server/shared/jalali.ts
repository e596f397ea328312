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

const partsFormatter = new Map<string, Intl.DateTimeFormat>();

/**
 * Wall-clock fields of an instant in a time zone (Gregorian), read through Intl so history (e.g. Iran's DST before
 * 1401) is right. Intl is slow for this (a third of an enrolment's own time went into `formatToParts`), so the
 * zone's offset is kept per quarter hour: an offset that is the same at both ends of the quarter is the offset of
 * all of it (zones change on whole quarter hours), and the wall clock is then plain arithmetic.
 */
function wallClock(instant: Date, timeZone: string) {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return intlWallClock(instant, timeZone);
  const slot = Math.floor(ms / QUARTER_HOUR);
  const key = `${timeZone}|${slot}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const start = offsetAt(slot * QUARTER_HOUR, timeZone);
    offset = start === offsetAt((slot + 1) * QUARTER_HOUR - 1000, timeZone) ? start : null;
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  if (offset === null) return intlWallClock(instant, timeZone);
  const wall = new Date(ms + offset);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds() };
}

const QUARTER_HOUR = 15 * 60_000;
/** Zone offset (wall − UTC, in ms) per quarter hour; null for a quarter in which the offset changes. */
const offsets = new Map<string, number | null>();

function offsetAt(ms: number, timeZone: string): number {
  const wall = intlWallClock(new Date(ms), timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - Math.floor(ms / 1000) * 1000;
}

function intlWallClock(instant: Date, timeZone: string) {
  let formatter = partsFormatter.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatter.set(timeZone, formatter);
  }
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year, month: fields.month, day: fields.day, hour: fields.hour, minute: fields.minute, second: fields.second };
}

/** The Jalali calendar date and time of an instant, as a clock in Tehran shows it. */
export function toJalali(instant: Date, timeZone = TEHRAN): JalaliDateTime {
  const wall = wallClock(instant, timeZone);
  const j = jalaali.toJalaali(wall.year, wall.month, wall.day);
  return { year: j.jy, month: j.jm, day: j.jd, hour: wall.hour, minute: wall.minute };
}

/** The instant at which a Tehran clock shows the given Jalali date and time (midnight by default). */
export function fromJalali(date: JalaliDate, time: { hour?: number; minute?: number } = {}, timeZone = TEHRAN): Date {
  const g = jalaali.toGregorian(date.year, date.month, date.day);
  const wanted = Date.UTC(g.gy, g.gm - 1, g.gd, time.hour ?? 0, time.minute ?? 0);
  // Two passes settle the zone offset, including on days when it changed.
  let guess = wanted;
  for (let pass = 0; pass < 2; pass++) {
    const wall = wallClock(new Date(guess), timeZone);
    const shown = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    guess += wanted - shown;
  }
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
