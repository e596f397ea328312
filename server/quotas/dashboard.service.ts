import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { Place, type PlaceLevel, type PlaceRecord } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type QuotaRecord } from '../../models/quota.model.js';
import { assertInScope, outOfScope, type ScopeUser } from '../auth/scope.js';
import type { Lang } from '../i18n/index.js';
import { renderChoroplethSvg, type MapFeatureCollection } from '../reports/svg-map.js';
import { jalaliMonthBounds, jalaliMonthName, parseJalaliMonthKey } from '../shared/jalali.js';
import { comparePersian, formatNumber, toPersianDigits } from '../shared/persian-text.js';
import { expectedByDate, paceStatus, percent, type PaceStatus } from './pace.js';
import { monthOf } from './progress.service.js';
import { excessOver, type QuotaExcess } from './quotas.service.js';

/**
 * Progress as the dashboard and the progress API show it, read from the maintained counters (never from the
 * enrolments). A place's target is its own quota, or else the sum of the quotas set below it (the highest
 * quota on each branch), so a county whose districts have quotas shows their total; "expected by today" adds
 * up the same quotas' pace plans, each by its own milestones or linearly over the campaign.
 */

export interface ProgressRow {
  place: string;
  name: string;
  level: PlaceLevel;
  population: number | null;
  target: number;
  logged: number;
  verified: number;
  percent: number;
  verifiedPercent: number;
  expectedByToday: number;
  /** null when the place has no target to keep pace with */
  pace: PaceStatus | null;
  /** enrolments logged in each of the last months, oldest first */
  trend: { month: string; logged: number }[];
  /**
   * Of the enrolments logged this Jalali month and last (not rejected), the percentage made online (seed 004's
   * "electronic first"), from the counters; null for a month without any.
   */
  online: { thisMonth: number | null; lastMonth: number | null };
  /** Its own quota is less than the quotas set directly below it: a warning, by the quota page's rule. */
  excess: QuotaExcess | null;
}

export interface PlaceProgress extends ProgressRow {
  children: ProgressRow[];
}

const TREND_MONTHS = 6;

export async function progressOf(user: ScopeUser, campaign: CampaignRecord, placeCode: string, today = new Date()): Promise<PlaceProgress> {
  const place = await placeOfCampaign(user, campaign, placeCode);
  const children = (await Place.find({ parent: place.code }).setOptions({ scope: user }).lean<PlaceRecord[]>()).sort((a, b) => comparePersian(a.name, b.name));
  const rows = await rowsFor(user, campaign, place.code, [place, ...children], today);
  return { ...rows[0]!, children: rows.slice(1) };
}

/** The towns under the campaign's threshold below `placeCode`, each with its own quota and progress. */
export async function smallTownsOf(user: ScopeUser, campaign: CampaignRecord, placeCode: string, today = new Date()): Promise<ProgressRow[]> {
  const place = await placeOfCampaign(user, campaign, placeCode);
  const towns = (await Place.find({ level: 'city', placePath: place.code, population: { $lt: campaign.townThreshold } }).setOptions({ scope: user }).lean<PlaceRecord[]>()).sort((a, b) =>
    comparePersian(a.name, b.name),
  );
  return rowsFor(user, campaign, place.code, towns, today);
}

async function placeOfCampaign(user: ScopeUser, campaign: CampaignRecord, placeCode: string): Promise<PlaceRecord> {
  const place = await assertInScope(user, placeCode);
  if (place.province !== campaign.province) throw outOfScope();
  return place;
}

async function rowsFor(user: ScopeUser, campaign: CampaignRecord, subtree: string, places: PlaceRecord[], today: Date): Promise<ProgressRow[]> {
  const codes = places.map((p) => p.code);
  const [quotas, counters] = await Promise.all([
    Quota.find({ campaign: campaign._id, placePath: subtree }).setOptions({ scope: user }).lean<QuotaRecord[]>(),
    ProgressCounter.find({ campaign: campaign._id, placeCode: { $in: codes } }).setOptions({ scope: user }).lean<ProgressCounterRecord[]>(),
  ]);
  const counterOf = new Map(counters.map((c) => [c.placeCode, c]));
  const quotaCodes = new Set(quotas.map((q) => q.placeCode));
  const months = trendMonths(campaign, today);
  const thisMonth = monthOf(today);
  const { year, month } = parseJalaliMonthKey(thisMonth)!;
  const lastMonth = monthOf(new Date(jalaliMonthBounds(year, month).start.getTime() - 1));
  const onlineShareIn = (counter: ProgressCounterRecord | undefined, key: string): number | null => {
    const counted = counter?.byMonth?.[key];
    return counted && counted.logged > 0 ? percent(counted.online ?? 0, counted.logged) : null;
  };
  return places.map((place) => {
    const own = governingQuotas(place.code, quotas, quotaCodes);
    const target = own.reduce((sum, q) => sum + q.target, 0);
    const expected = own.reduce((sum, q) => sum + expectedByDate({ target: q.target, start: campaign.startsAt, end: campaign.endsAt, milestones: q.milestones }, today), 0);
    const counter = counterOf.get(place.code);
    const logged = counter?.logged ?? 0;
    const verified = counter?.verified ?? 0;
    const ownQuota = quotas.find((q) => q.placeCode === place.code);
    return {
      place: place.code,
      name: place.name,
      level: place.level as PlaceLevel,
      population: place.population ?? null,
      target,
      logged,
      verified,
      percent: percent(logged, target),
      verifiedPercent: percent(verified, target),
      expectedByToday: Math.round(expected),
      pace: target > 0 ? paceStatus(logged, expected) : null,
      trend: months.map((month) => ({ month, logged: counter?.byMonth?.[month]?.logged ?? 0 })),
      online: { thisMonth: onlineShareIn(counter, thisMonth), lastMonth: onlineShareIn(counter, lastMonth) },
      excess: ownQuota ? excessOver(ownQuota, quotas) : null,
    };
  });
}

/** The quotas that make up a place's target: its own, or the highest one on each branch below it. */
export function governingQuotas(code: string, quotas: readonly QuotaRecord[], quotaCodes: ReadonlySet<string>): QuotaRecord[] {
  return quotas.filter((q) => {
    const at = q.placePath.indexOf(code);
    if (at < 0) return false;
    return q.placePath.slice(at, -1).every((above) => !quotaCodes.has(above));
  });
}

/** The last few Jalali months of the campaign up to today. */
function trendMonths(campaign: CampaignRecord, today: Date): string[] {
  const last = new Date(Math.min(today.getTime(), campaign.endsAt.getTime() - 1));
  const months: string[] = [];
  let key = monthOf(last);
  const first = monthOf(campaign.startsAt);
  while (months.length < TREND_MONTHS) {
    months.unshift(key);
    if (key === first) break;
    const { year, month } = parseJalaliMonthKey(key)!;
    key = monthOf(new Date(jalaliMonthBounds(year, month).start.getTime() - 1));
  }
  return months;
}

/** Rows behind pace only (the dashboard's filter). */
export function behindPace(rows: ProgressRow[]): ProgressRow[] {
  return rows.filter((row) => row.pace === 'behind');
}

/** A tiny bar chart of the monthly trend, drawn on the server (attributes only: the CSP allows no inline style). */
export function trendSvg(trend: ProgressRow['trend'], label: string, lang: Lang): string {
  const max = Math.max(1, ...trend.map((m) => m.logged));
  const bar = 6;
  const height = 20;
  const bars = trend
    .map((m, i) => {
      const h = Math.max(1, Math.round((m.logged / max) * height));
      const { year, month } = parseJalaliMonthKey(m.month)!;
      const name = `${jalaliMonthName(month, lang)} ${lang === 'fa' ? toPersianDigits(year) : year}`;
      return `<rect x="${i * (bar + 2)}" y="${height - h}" width="${bar}" height="${h}" fill="#0b6e4f"><title>${name}: ${formatNumber(m.logged, lang)}</title></rect>`;
    })
    .join('');
  return `<svg class="trend" role="img" aria-label="${label}" width="${trend.length * (bar + 2)}" height="${height}" viewBox="0 0 ${trend.length * (bar + 2)} ${height}">${bars}</svg>`;
}

const MAP_FILES: Record<string, string> = { '02': 'mazandaran-counties.geojson' };
const maps = new Map<string, MapFeatureCollection<{ county_id: string; name_fa: string; name_en: string }>>();

/**
 * The province's counties coloured by percentage of target, from the boundaries shipped with the project
 * (server/places/data); null for a province whose county boundaries are not shipped.
 */
export function countyMap(province: string, rows: ProgressRow[], lang: Lang, labels: { title: string; noData: string }): string | null {
  const file = MAP_FILES[province];
  if (!file) return null;
  if (!maps.has(province)) {
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'places', 'data', file);
    maps.set(province, JSON.parse(readFileSync(path, 'utf8')));
  }
  const values = new Map(rows.map((row) => [row.place, row.target > 0 ? row.percent : null]));
  return renderChoroplethSvg(maps.get(province)!, values, {
    keyOf: (f) => f.properties.county_id,
    labelOf: (f) => (lang === 'fa' ? f.properties.name_fa : f.properties.name_en),
    colorScale: { thresholds: [25, 50, 75, 100], colors: ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'] },
    lang,
    title: labels.title,
    noDataLabel: labels.noData,
    formatValue: (v) => `${formatNumber(v, lang)}${lang === 'fa' ? '٪' : '%'}`,
    idPrefix: 'county-map',
  });
}
