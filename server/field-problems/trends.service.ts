import { FieldProblem } from '../../models/field-problem.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { addJalaliMonths, jalaliMonthBounds, jalaliMonthKey, toJalali } from '../shared/jalali.js';
import { problemArea } from './problems.service.js';

/** How much one topic was reported in a period: reports, distinct places, and the people those places counted. */
export interface Figures {
  reports: number;
  places: number;
  people: number;
}

/** A Jalali quarter (فصل): months 1–3, 4–6, 7–9, 10–12 of `year`. */
export interface Quarter {
  year: number;
  quarter: number;
}

export const quarterOf = (year: number, month: number): Quarter => ({ year, quarter: Math.ceil(month / 3) });
export const quarterKey = (q: Quarter): string => `${q.year}-Q${q.quarter}`;
export const shiftQuarter = (q: Quarter, by: number): Quarter => {
  const index = q.year * 4 + (q.quarter - 1) + by;
  return { year: Math.floor(index / 4), quarter: (index % 4) + 1 };
};

/** The months `[from, to]` (Jalali, inclusive) as instants `[start, end)`. */
function span(from: { year: number; month: number }, to: { year: number; month: number }): { start: Date; end: Date } {
  return { start: jalaliMonthBounds(from.year, from.month).start, end: jalaliMonthBounds(to.year, to.month).end };
}

export const quarterSpan = (q: Quarter, throughMonth = q.quarter * 3) => span({ year: q.year, month: q.quarter * 3 - 2 }, { year: q.year, month: throughMonth });

interface Report {
  topic: string;
  placeCode: string;
  affected: number;
  reportedAt: Date;
}

function figures(reports: readonly Report[]): Figures {
  return { reports: reports.length, places: new Set(reports.map((r) => r.placeCode)).size, people: reports.reduce((sum, r) => sum + r.affected, 0) };
}

const within = (r: Report, s: { start: Date; end: Date }) => r.reportedAt >= s.start && r.reportedAt < s.end;

export interface TopicTrend {
  topic: string;
  quarter: Figures;
  lastYear: Figures;
  month: Figures;
  previousMonth: Figures;
  /** One entry per Jalali month, oldest first (`YYYY-MM`). */
  series: { month: string; places: number; people: number; reports: number }[];
}

export interface TrendReport {
  /** The period compared: the quarter of `month` from its first month through `month`, and the same months a year before. */
  quarter: Quarter;
  throughMonth: number;
  month: { year: number; month: number };
  previousMonth: { year: number; month: number };
  total: { quarter: Figures; lastYear: Figures; month: Figures; previousMonth: Figures };
  /** Topics reported in the last 24 months, ranked by places then people this quarter (then last year's quarter). */
  topics: TopicTrend[];
}

export const SERIES_MONTHS = 12;

/**
 * The topic figures of an area (`place`: the province, a county or anything the user's area holds) up to the Jalali
 * month of `at`: this quarter so far against the same months of the same quarter last year, the month against the
 * month before, and a monthly series. Counted straight from the reports (each "we have this too" is one), read in
 * one query over two years of the area's reports with only the four fields counted.
 */
export async function topicTrends(user: ScopeUser, options: { place?: string; at?: Date; month?: { year: number; month: number } } = {}): Promise<TrendReport> {
  const now = options.month ?? toJalali(options.at ?? new Date());
  const month = { year: now.year, month: now.month };
  const previousMonth = addJalaliMonths({ ...month, day: 1 }, -1);
  const quarter = quarterOf(month.year, month.month);
  const thisQuarter = quarterSpan(quarter, month.month);
  const lastYear = quarterSpan({ year: quarter.year - 1, quarter: quarter.quarter }, month.month);
  const firstMonth = addJalaliMonths({ ...month, day: 1 }, -23);
  const window = span(firstMonth, month);
  const reports = await FieldProblem.find({ reportedAt: { $gte: window.start, $lt: window.end }, ...(options.place ? { placePath: options.place } : {}) }, { topic: 1, placeCode: 1, affected: 1, reportedAt: 1 })
    .setOptions({ scope: problemArea(user) })
    .lean<Report[]>();
  const monthSpan = jalaliMonthBounds(month.year, month.month);
  const previousSpan = jalaliMonthBounds(previousMonth.year, previousMonth.month);
  const seriesMonths = Array.from({ length: SERIES_MONTHS }, (_, i) => addJalaliMonths({ ...month, day: 1 }, i - SERIES_MONTHS + 1));

  const byTopic = new Map<string, Report[]>();
  for (const r of reports) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
  const trendOf = (list: readonly Report[]) => ({
    quarter: figures(list.filter((r) => within(r, thisQuarter))),
    lastYear: figures(list.filter((r) => within(r, lastYear))),
    month: figures(list.filter((r) => within(r, monthSpan))),
    previousMonth: figures(list.filter((r) => within(r, previousSpan))),
  });
  const topics = [...byTopic.entries()]
    .map(([topic, list]) => ({
      topic,
      ...trendOf(list),
      series: seriesMonths.map((m) => ({ month: jalaliMonthKey(m.year, m.month), ...figures(list.filter((r) => within(r, jalaliMonthBounds(m.year, m.month)))) })),
    }))
    .sort((a, b) => b.quarter.places - a.quarter.places || b.quarter.people - a.quarter.people || b.lastYear.places - a.lastYear.places || a.topic.localeCompare(b.topic));
  return { quarter, throughMonth: month.month, month, previousMonth: { year: previousMonth.year, month: previousMonth.month }, total: trendOf(reports), topics };
}

/**
 * One topic's figures per Jalali quarter, `before` quarters before the quarter of `adoptedAt` and `after` after
 * it (the adoption quarter itself included), for "did it help?". Quarters still to come are left out.
 */
export async function topicAroundAdoption(user: ScopeUser, topic: string, adoptedAt: Date, options: { before?: number; after?: number; now?: Date; place?: string } = {}): Promise<{ quarter: string; relative: number; figures: Figures }[]> {
  const adopted = toJalali(adoptedAt);
  const q0 = quarterOf(adopted.year, adopted.month);
  const now = toJalali(options.now ?? new Date());
  const current = quarterOf(now.year, now.month);
  const before = options.before ?? 2;
  const after = options.after ?? 2;
  const quarters = Array.from({ length: before + after + 1 }, (_, i) => ({ relative: i - before, q: shiftQuarter(q0, i - before) })).filter(({ q }) => quarterKey(q) <= quarterKey(current));
  const first = quarterSpan(quarters[0]!.q);
  const last = quarterSpan(quarters[quarters.length - 1]!.q);
  const reports = await FieldProblem.find({ topic, reportedAt: { $gte: first.start, $lt: last.end }, ...(options.place ? { placePath: options.place } : {}) }, { topic: 1, placeCode: 1, affected: 1, reportedAt: 1 })
    .setOptions({ scope: problemArea(user) })
    .lean<Report[]>();
  return quarters.map(({ q, relative }) => ({ quarter: quarterKey(q), relative, figures: figures(reports.filter((r) => within(r, quarterSpan(q)))) }));
}
