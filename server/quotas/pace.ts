import { addJalaliDays, fromJalali, jalaliMonthBounds, parseJalaliMonthKey, toJalali } from '../shared/jalali.js';

/**
 * How many enrolments a quota holder should have by a given day, and whether they keep pace.
 * Days are Tehran calendar days: the province works by its own calendar, not by UTC midnight.
 */

export interface Milestone {
  /** Jalali month key, `YYYY-MM`: the target holds at the end of that month. */
  month: string;
  cumulativeTarget: number;
}

export interface PacePlan {
  target: number;
  start: Date;
  end: Date;
  milestones?: readonly Milestone[];
}

export const PACE_REASONS = ['pace.milestoneMonth'] as const;
export type PaceReason = (typeof PACE_REASONS)[number];

/** A plan that cannot be read (a milestone month that is no `YYYY-MM`). */
export class PaceError extends Error {
  constructor(
    readonly reason: PaceReason,
    readonly params: Record<string, string | number> = {},
  ) {
    super(reason);
    this.name = 'PaceError';
  }
}

/**
 * Expected cumulative count by the end of `today`'s Tehran day (a fractional number; round it for
 * display only, so the pace comparison is not skewed by rounding on small quotas).
 *
 * `start` and `end` bound the campaign as a half-open interval [start, end), the way
 * `jalaliMonthBounds`/`jalaliYearBounds` return them: a campaign over Farvardin ends at midnight
 * of 1 Ordibehesht, and the full target is due by the end of 31 Farvardin.
 *
 * Without milestones: linear in time from `start` (0) to `end` (the full target); since it is
 * evaluated at day ends, it grows by one day's share per Tehran day. 0 before start, the target after end.
 *
 * With milestones (the committee's month-by-month plan): by the end of each milestone month the
 * expected count is its cumulative target; in between it grows linearly day by day from the
 * previous milestone (or from 0 at the campaign start, or at the start of the first milestone month
 * when that is later) to the next one. So within the current month it is the last completed month's
 * figure interpolated towards this month's. After the last milestone the count stays at its value.
 */
export function expectedByDate(plan: PacePlan, today: Date): number {
  // The end of today in Tehran: what was expected "by today" includes today's share.
  const now = fromJalali(addJalaliDays(toJalali(today), 1)).getTime();
  const start = plan.start.getTime();
  if (now <= start) return 0;

  if (!plan.milestones || plan.milestones.length === 0) {
    const end = plan.end.getTime();
    if (now >= end || end <= start) return plan.target;
    return (plan.target * (now - start)) / (end - start);
  }

  const anchors = plan.milestones
    .map((m) => {
      const month = parseJalaliMonthKey(m.month);
      if (!month) throw new PaceError('pace.milestoneMonth', { month: m.month });
      const bounds = jalaliMonthBounds(month.year, month.month);
      return { monthStart: bounds.start.getTime(), at: bounds.end.getTime(), value: m.cumulativeTarget };
    })
    .sort((a, b) => a.at - b.at);
  // A plan that starts in Mehr expects nothing for Shahrivar, and one whose first milestone is
  // Aban while the campaign starts in Mehr spreads Aban's figure over both months.
  let prev = { at: Math.max(start, anchors[0].monthStart), value: 0 };
  if (now <= prev.at) return 0;
  for (const anchor of anchors) {
    if (now <= anchor.at) {
      if (anchor.at <= prev.at) return anchor.value;
      return prev.value + ((anchor.value - prev.value) * (now - prev.at)) / (anchor.at - prev.at);
    }
    prev = anchor;
  }
  return prev.value;
}

export type PaceStatus = 'ahead' | 'on-pace' | 'behind';

/**
 * A ±10% band around the expected count: behind when achieved < expected × 0.9, ahead when
 * achieved > expected × 1.1, on pace in between. The band keeps a village that is one or two
 * enrolments short early in the month from being flagged red.
 */
export function paceStatus(achieved: number, expected: number, tolerance = 0.1): PaceStatus {
  if (achieved < expected * (1 - tolerance)) return 'behind';
  if (achieved > expected * (1 + tolerance)) return 'ahead';
  return 'on-pace';
}

/** Achieved as a percentage of the target, one decimal place; 0 when there is no target (not NaN/Infinity). */
export function percent(achieved: number, target: number): number {
  if (!target) return 0;
  return Math.round((achieved / target) * 1000) / 10;
}
