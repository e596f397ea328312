import { Agency, type AgencyRecord } from '../../models/agency.model.js';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Place } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { ReportSnapshot, type ReportSnapshotRecord } from '../../models/report-snapshot.model.js';
import { Resolution, type ResolutionRecord } from '../../models/resolution.model.js';
import type { QueryScope } from '../auth/scope.js';
import { onlineShare, type OnlineShareRow } from '../enrolments/online-share.js';
import { fieldProblemSection, type FieldProblemSection } from '../field-problems/report-section.js';
import { complianceGrid, type MonthState } from '../committees/compliance.service.js';
import { commitmentInstances } from '../committees/resolutions.service.js';
import { governingQuotas } from '../quotas/dashboard.service.js';
import { expectedByDate, paceStatus, percent, type PaceStatus } from '../quotas/pace.js';
import { compareJalali, jalaliMonthBounds, jalaliMonthKey, toJalali, type JalaliDate } from '../shared/jalali.js';
import { comparePersian } from '../shared/persian-text.js';
import { signOffOf } from '../approvals/approvals.service.js';

/** Quota progress of one place as of the report's day. */
export interface QuotaFigures {
  target: number;
  logged: number;
  verified: number;
  /** Logged as a percentage of the target. */
  percent: number;
  /** What the plan expected by the report's day (rounded). */
  expected: number;
  pace: PaceStatus | null;
  /** Enrolments logged in the report's month. */
  loggedThisMonth: number;
  /** Percentage points gained since the end of the previous month. */
  percentChange: number;
}

export interface CountyRow extends QuotaFigures {
  code: string;
  name: string;
}

export interface TownRow extends QuotaFigures {
  code: string;
  name: string;
  county: string;
  population: number | null;
}

export interface ComplianceRow {
  committee: string;
  place: string;
  placeName: string;
  /** The report month's state: held, missed, … (see server/committees/compliance.service.ts). */
  state: MonthState;
  heldThisYear: number;
  missedThisYear: number;
}

export interface AgencyRow {
  agency: string;
  name: { fa: string; en: string };
  /** Commitment periods owed by the report's day (one per one-off resolution, one per month of a recurring one). */
  owed: number;
  done: number;
  onTime: number;
  overdue: number;
  open: number;
}

export interface ProvincialReport {
  province: { code: string; name: string };
  /** Jalali `YYYY-MM`. */
  month: string;
  /** The instant the figures stand at: the end of the month, or the moment of a preview of an open month. */
  asOf: Date;
  /** False for a preview of a month not yet over. */
  closed: boolean;
  /** A closed month's report is preliminary until the province approves its figures, then final (server/approvals/). */
  status?: 'preliminary' | 'final';
  campaign: { id: string; name: string; year: number; townThreshold: number } | null;
  totals: QuotaFigures;
  counties: CountyRow[];
  /** Towns under the campaign's population threshold that hold a quota. */
  smallTowns: TownRow[];
  compliance: ComplianceRow[];
  commitments: AgencyRow[];
  /** Field problems by topic (issue 13); absent from snapshots taken before it existed. */
  fieldProblems?: FieldProblemSection;
  /** Enrolments online against in person, this month and last, per county (seed 004). */
  onlineShare?: { total: OnlineShareRow; counties: (OnlineShareRow & { name: string })[] };
}

const EMPTY: QuotaFigures = { target: 0, logged: 0, verified: 0, percent: 0, expected: 0, pace: null, loggedThisMonth: 0, percentChange: 0 };

/**
 * The monthly provincial progress report of `province` for the Jalali month `month` (`YYYY-MM`), computed now from
 * the maintained counters, the quotas, the committees' meetings and the resolutions. For a month that is over the
 * figures stand at its end (enrolments are counted in the month they were logged, through the counters' `byMonth`);
 * for the running month they stand at `now` (a preview).
 */
export async function buildProvincialReport(province: string, month: string, now = new Date()): Promise<ProvincialReport> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const bounds = jalaliMonthBounds(year, monthNumber);
  const closed = now >= bounds.end;
  const asOf = closed ? bounds.end : now;
  // the last moment inside the report's period: pace and deadlines are read on that day
  const lastInstant = new Date(asOf.getTime() - 1);
  const day = toJalali(lastInstant);
  const asOfDay: JalaliDate = { year: day.year, month: day.month, day: day.day };

  const provincePlace = await Place.findOne({ code: province }, { name: 1 }).setOptions({ scope: 'system' }).lean<{ name: string }>();
  const counties = await Place.find({ province, level: 'county' }, { code: 1, name: 1 }).setOptions({ scope: 'system' }).lean<{ code: string; name: string }[]>();
  counties.sort((a, b) => comparePersian(a.name, b.name));
  const campaign = await campaignOf(province, bounds.end);

  const report: ProvincialReport = {
    province: { code: province, name: provincePlace?.name ?? province },
    month,
    asOf,
    closed,
    campaign: campaign ? { id: String(campaign._id), name: campaign.name, year: campaign.year, townThreshold: campaign.townThreshold } : null,
    totals: EMPTY,
    counties: counties.map((c) => ({ code: c.code, name: c.name, ...EMPTY })),
    smallTowns: [],
    compliance: await complianceRows(province, year, monthNumber, asOf),
    commitments: await commitmentRows(province, asOfDay),
    fieldProblems: await fieldProblemSection(province, year, monthNumber),
    onlineShare: await namedOnlineShare(province, year, monthNumber, asOf, counties),
  };
  if (!campaign) return report;

  const quotas = await Quota.find({ province, campaign: campaign._id }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>();
  const counters = await ProgressCounter.find({ province, campaign: campaign._id, level: { $in: ['province', 'county', 'city'] } }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
  const counterOf = new Map(counters.map((c) => [c.placeCode, c]));
  const figures = (code: string, quota: { target: number; milestones?: QuotaRecord['milestones'] }): QuotaFigures =>
    quotaFigures(counterOf.get(code), quota, campaign, month, lastInstant);

  report.counties = counties.map((county) => ({ code: county.code, name: county.name, ...figures(county.code, targetOf(county.code, quotas)) }));
  const provinceQuota = quotas.find((q) => q.placeCode === province);
  report.totals = figures(province, provinceQuota ?? { target: report.counties.reduce((sum, c) => sum + c.target, 0) });

  const townQuotas = quotas.filter((q) => q.holderLevel === 'town');
  const towns = await Place.find({ code: { $in: townQuotas.map((q) => q.placeCode) } }, { code: 1, name: 1, population: 1, ancestors: 1 })
    .setOptions({ scope: 'system' })
    .lean<{ code: string; name: string; population: number | null; ancestors: string[] }[]>();
  const countyName = new Map(counties.map((c) => [c.code, c.name]));
  report.smallTowns = towns
    .filter((town) => town.population === null || town.population < campaign.townThreshold)
    .map((town) => ({
      code: town.code,
      name: town.name,
      county: countyName.get(town.ancestors.find((a) => countyName.has(a)) ?? '') ?? '',
      population: town.population,
      ...figures(town.code, townQuotas.find((q) => q.placeCode === town.code)!),
    }))
    .sort((a, b) => comparePersian(a.county, b.county) || comparePersian(a.name, b.name));
  return report;
}

async function namedOnlineShare(province: string, year: number, month: number, asOf: Date, counties: { code: string; name: string }[]) {
  const share = await onlineShare(province, year, month, asOf);
  const names = new Map(counties.map((c) => [c.code, c.name]));
  return { total: share.total, counties: share.counties.map((c) => ({ ...c, name: names.get(c.code) ?? c.code })) };
}

/** The province's campaign for a month: the one running at the month's end, else the latest started before it. */
async function campaignOf(province: string, monthEnd: Date): Promise<CampaignRecord | null> {
  return Campaign.findOne({ province, startsAt: { $lt: monthEnd } })
    .setOptions({ scope: 'system' })
    .sort({ startsAt: -1 })
    .lean<CampaignRecord>();
}

/**
 * A county's target, by the dashboard's rule (server/quotas/dashboard.service.ts), so report and dashboard agree:
 * its own quota when the province allocated one, else the highest quota on each branch below it — a district
 * governor's quota stands for the villages of that district (their quotas are never added to it), and villages
 * and towns outside any district quota add their own.
 */
export function targetOf(county: string, quotas: readonly QuotaRecord[]): { target: number; milestones?: QuotaRecord['milestones'] } {
  const governing = governingQuotas(county, quotas, new Set(quotas.map((q) => q.placeCode)));
  if (governing.length === 1) return governing[0]!;
  return { target: governing.reduce((sum, q) => sum + q.target, 0) };
}

function quotaFigures(
  counter: ProgressCounterRecord | undefined,
  quota: { target: number; milestones?: QuotaRecord['milestones'] },
  campaign: CampaignRecord,
  month: string,
  lastInstant: Date,
): QuotaFigures {
  let logged = 0;
  let verified = 0;
  for (const [key, counts] of Object.entries(counter?.byMonth ?? {})) {
    if (key > month) continue;
    logged += counts.logged ?? 0;
    verified += counts.verified ?? 0;
  }
  const loggedThisMonth = counter?.byMonth?.[month]?.logged ?? 0;
  const expected = expectedByDate({ target: quota.target, start: campaign.startsAt, end: campaign.endsAt, ...(quota.milestones?.length ? { milestones: quota.milestones } : {}) }, lastInstant);
  const pct = percent(logged, quota.target);
  return {
    target: quota.target,
    logged,
    verified,
    percent: pct,
    expected: Math.round(expected),
    pace: quota.target > 0 ? paceStatus(logged, expected) : null,
    loggedThisMonth,
    percentChange: Math.round((pct - percent(logged - loggedThisMonth, quota.target)) * 10) / 10,
  };
}

/** Every committee of the province that must meet monthly: its state in the report's month, and its year so far. */
async function complianceRows(province: string, year: number, month: number, asOf: Date): Promise<ComplianceRow[]> {
  const grid = await complianceGrid({ place: province, year, today: asOf });
  return grid.committees.map((row) => {
    const upTo = row.months.filter((m) => m.month <= month);
    return {
      committee: row.name,
      place: row.place,
      placeName: row.placeName,
      state: row.months[month - 1]!.state,
      heldThisYear: upTo.filter((m) => m.state === 'held').length,
      missedThisYear: upTo.filter((m) => m.state === 'missed').length,
    };
  });
}

/** Commitments by responsible agency as they stood on `day`: periods owed, done (on time or late), overdue, open. */
async function commitmentRows(province: string, day: JalaliDate): Promise<AgencyRow[]> {
  const resolutions = await Resolution.find({ province, status: { $ne: 'cancelled' } }).setOptions({ scope: 'system' }).lean<ResolutionRecord[]>();
  const agencies = new Map((await Agency.find({ province }).lean<AgencyRecord[]>()).map((a) => [a.code, a]));
  const rows = new Map<string, AgencyRow>();
  for (const resolution of resolutions) {
    if (compareJalali(resolution.communicatedOn, day) > 0) continue;
    // deliveries reported after the day do not count yet
    const asItStood = { ...resolution, deliveries: resolution.deliveries.filter((d) => d.doneOn && compareJalali(d.doneOn, day) <= 0) };
    const agency = agencies.get(resolution.agency);
    const row = rows.get(resolution.agency) ?? {
      agency: resolution.agency,
      name: { fa: agency?.nameFa ?? resolution.agency, en: agency?.nameEn ?? resolution.agency },
      owed: 0,
      done: 0,
      onTime: 0,
      overdue: 0,
      open: 0,
    };
    for (const instance of commitmentInstances(asItStood, day)) {
      row.owed++;
      if (instance.state === 'done' || instance.state === 'done-late') row.done++;
      if (instance.state === 'done') row.onTime++;
      if (instance.state === 'overdue') row.overdue++;
      if (instance.state === 'open') row.open++;
    }
    rows.set(resolution.agency, row);
  }
  return [...rows.values()].sort((a, b) => comparePersian(a.name.fa, b.name.fa));
}

/** The stored report of a month, or null. */
export async function findSnapshot(scope: QueryScope, province: string, month: string): Promise<ReportSnapshotRecord | null> {
  return ReportSnapshot.findOne({ province, month }).setOptions({ scope }).lean<ReportSnapshotRecord>();
}

/** Every stored report of a province, latest first. */
export async function listSnapshots(scope: QueryScope, province: string): Promise<Pick<ReportSnapshotRecord, 'month' | 'generatedAt'>[]> {
  return ReportSnapshot.find({ province }, { month: 1, generatedAt: 1 }).setOptions({ scope }).sort({ month: -1 }).lean<Pick<ReportSnapshotRecord, 'month' | 'generatedAt'>[]>();
}

/**
 * Stores the report of a closed month once: the first snapshot of a (province, month) is kept, whoever writes
 * second gets it back unchanged, so last month's report stays as it was.
 */
export async function snapshotMonth(province: string, month: string, now = new Date()): Promise<{ snapshot: ReportSnapshotRecord; created: boolean }> {
  const existing = await findSnapshot('system', province, month);
  if (existing) return { snapshot: existing, created: false };
  const report = await buildProvincialReport(province, month, now);
  const result = await ReportSnapshot.updateOne(
    { province, month },
    { $setOnInsert: { province, placePath: [province], month, generatedAt: now, report } },
    { upsert: true },
  ).setOptions({ scope: 'system' });
  return { snapshot: (await findSnapshot('system', province, month))!, created: result.upsertedCount === 1 };
}

/** The month before `now`'s Jalali month, as `YYYY-MM`. */
export function previousMonth(now: Date): string {
  const j = toJalali(now);
  return j.month === 1 ? jalaliMonthKey(j.year - 1, 12) : jalaliMonthKey(j.year, j.month - 1);
}

export function currentMonth(now: Date): string {
  const j = toJalali(now);
  return jalaliMonthKey(j.year, j.month);
}

export interface ReportView {
  report: ProvincialReport;
  /** Null for a preview (a month not closed, or closed but not snapshotted yet). */
  generatedAt: Date | null;
}

/** The stored report of a month, or a preview computed now; a month that has not begun has none. */
export async function reportFor(scope: QueryScope, province: string, month: string, now = new Date()): Promise<ReportView | null> {
  if (month > currentMonth(now)) return null;
  const snapshot = await findSnapshot(scope, province, month);
  const report = snapshot ? snapshot.report : await buildProvincialReport(province, month, now);
  // preliminary until the province's fund manager approves the month (server/approvals/)
  if (report.closed) report.status = (await signOffOf(province, month)).final ? 'final' : 'preliminary';
  return { report, generatedAt: snapshot ? snapshot.generatedAt : null };
}

export interface QuarterComparison {
  quarter: number;
  year: number;
  lastYear: number;
  rows: { code: string; name: string; thisYear: number; lastYear: number }[];
  total: { thisYear: number; lastYear: number };
  /** Months of either quarter, up to the report's, without a stored report (not counted). */
  missing: string[];
}

/**
 * Enrolments logged in the Jalali quarter of `month`, by county, beside the same quarter of the year before, from the
 * stored monthly reports (each keeps what was logged in its month).
 */
export async function quarterComparison(scope: QueryScope, province: string, month: string): Promise<QuarterComparison> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const quarter = Math.ceil(monthNumber / 3);
  const monthsOf = (y: number) => [1, 2, 3].map((i) => jalaliMonthKey(y, (quarter - 1) * 3 + i));
  const wanted = [...monthsOf(year), ...monthsOf(year - 1)];
  const snapshots = await ReportSnapshot.find({ province, month: { $in: wanted } }).setOptions({ scope }).lean<ReportSnapshotRecord[]>();
  const byMonth = new Map(snapshots.map((s) => [s.month, s.report]));
  const rows = new Map<string, QuarterComparison['rows'][number]>();
  const total = { thisYear: 0, lastYear: 0 };
  for (const [which, y] of [['thisYear', year], ['lastYear', year - 1]] as const) {
    for (const key of monthsOf(y)) {
      const report = byMonth.get(key);
      if (!report) continue;
      total[which] += report.totals.loggedThisMonth;
      for (const county of report.counties) {
        const row = rows.get(county.code) ?? { code: county.code, name: county.name, thisYear: 0, lastYear: 0 };
        row[which] += county.loggedThisMonth;
        rows.set(county.code, row);
      }
    }
  }
  return {
    quarter,
    year,
    lastYear: year - 1,
    rows: [...rows.values()].sort((a, b) => comparePersian(a.name, b.name)),
    total,
    // months after the report's own have not happened yet: not missing
    missing: wanted.filter((key) => !byMonth.has(key) && key <= month).sort(),
  };
}
