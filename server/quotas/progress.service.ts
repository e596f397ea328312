import mongoose, { type ClientSession, Types } from 'mongoose';
import type { PlaceLevel } from '../../models/place.model.js';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { ProgressCounter, type MonthCount, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { notFound } from '../errors/app-error.js';
import { jalaliMonthBounds, jalaliMonthKey, parseJalaliMonthKey, toJalali } from '../shared/jalali.js';

/**
 * The maintained progress counters: one per (campaign, place) for the enrolment's place and every place
 * above it, so the dashboard of any level reads a handful of small documents instead of counting enrolments.
 */

export interface CountedPlace {
  code: string;
  province: string;
  /** The codes above the place, province first (as in the places collection). */
  ancestors: readonly string[];
  /** The place's own level; derived from the shape of its code when not given. */
  level?: PlaceLevel;
}

export interface EnrolmentCount {
  campaignId: Types.ObjectId | string;
  place: CountedPlace;
  /** +1 when an enrolment is logged, −1 when one that counted is rejected, 0 when only its verification changes. */
  logged: number;
  /** +1 when verified, −1 when a verified enrolment is rejected. */
  verified: number;
  /** Of `logged`, those made online (seed 004's "electronic first"; in person is the rest). */
  online?: number;
  /**
   * The enrolment's `createdAt`: the trend counts every enrolment, and its later verification, in the Jalali
   * month it was logged, so the rebuild can recompute `byMonth` from the enrolments alone.
   */
  at: Date;
}

/**
 * Adds one enrolment's change to the counters of its place and of every ancestor up to the province: one
 * bulkWrite of upserting `$inc`s. Pass the caller's transaction session so the counters move together with
 * the enrolment or not at all.
 */
export async function countEnrolment(args: EnrolmentCount, session?: ClientSession): Promise<void> {
  await countEnrolments([args], session);
}

/**
 * The changes of many enrolments at once (a group commit, an import chunk): summed per counter first, so each
 * counter document gets one `$inc` however many enrolments moved it, all in one bulkWrite.
 */
export async function countEnrolments(counts: readonly EnrolmentCount[], session?: ClientSession): Promise<void> {
  const sums = new Map<string, { province: string; campaign: Types.ObjectId; code: string; level: PlaceLevel; placePath: string[]; inc: Record<string, number> }>();
  for (const args of counts) {
    if (args.logged === 0 && args.verified === 0) continue;
    const campaign = String(args.campaignId);
    const month = monthOf(args.at);
    for (const { code, level, placePath } of counterPlaces(args.place)) {
      const key = `${campaign}|${code}`;
      let sum = sums.get(key);
      if (!sum) sums.set(key, (sum = { province: args.place.province, campaign: new Types.ObjectId(campaign), code, level, placePath, inc: {} }));
      add(sum.inc, 'logged', args.logged);
      add(sum.inc, 'verified', args.verified);
      add(sum.inc, `byMonth.${month}.logged`, args.logged);
      add(sum.inc, `byMonth.${month}.verified`, args.verified);
      // written with every logging (0 for in person), so a month counted since always has it
      if (args.logged !== 0) add(sum.inc, `byMonth.${month}.online`, args.online ?? 0);
    }
  }
  if (sums.size === 0) return;
  const operations = [...sums.values()].map(({ province, campaign, code, level, placePath, inc }) => ({
    updateOne: {
      filter: { province, campaign, placeCode: code },
      update: { $inc: inc, $setOnInsert: { level, placePath } },
      upsert: true,
    },
  }));
  // the driver's own bulkWrite: the operations are built here from checked values, Mongoose would only cast them again
  await ProgressCounter.collection.bulkWrite(operations, { session, ordered: true });
}

function add(inc: Record<string, number>, path: string, by: number): void {
  inc[path] = (inc[path] ?? 0) + by;
}

/** The place and each of its ancestors, with the level and path its counter is stored under. */
function counterPlaces(place: CountedPlace): { code: string; level: PlaceLevel; placePath: string[] }[] {
  const path = [...place.ancestors, place.code];
  return path.map((code, index) => ({
    code,
    level: index === path.length - 1 && place.level ? place.level : levelOfCode(code, index === path.length - 1),
    placePath: path.slice(0, index + 1),
  }));
}

/**
 * The level of a place from its SCI code (server/places/census-files.ts): province 2 digits, county 4,
 * district 6 (or a synthetic `…D..`), a synthetic town `…C..`, village 16. Ten digits is a rural district
 * above a village and a city when it is the enrolment's own place (towns have no places under them).
 */
export function levelOfCode(code: string, isOwnPlace: boolean): PlaceLevel {
  if (/^\d{4}C\d{2}$/.test(code)) return 'city';
  if (/^\d{4}D\d{2}$/.test(code)) return 'district';
  switch (code.length) {
    case 2:
      return 'province';
    case 4:
      return 'county';
    case 6:
      return 'district';
    case 10:
      return isOwnPlace ? 'city' : 'rural_district';
    default:
      return 'village';
  }
}

export function monthOf(at: Date): string {
  const j = toJalali(at);
  return jalaliMonthKey(j.year, j.month);
}

export interface CounterDrift {
  placeCode: string;
  counted: MonthCount;
  actual: MonthCount;
}

export interface RebuildReport {
  campaign: string;
  counters: number;
  drifted: CounterDrift[];
}

interface PlaceTally extends MonthCount {
  placePath: string[];
  province: string;
  byMonth: Record<string, MonthCount>;
}

/**
 * The drift job: recomputes every counter of a campaign from the enrolments (one aggregation, grouped by
 * place and Jalali month of `createdAt`), reports the counters that differ and sets them right. Counters of
 * places that no longer have any enrolment are set to zero. Run it when enrolments are quiet (a nightly job):
 * an enrolment written between the aggregation and the fix would be counted twice.
 */
export async function rebuildCounters(campaignId: Types.ObjectId | string): Promise<RebuildReport> {
  const campaign = new Types.ObjectId(String(campaignId));
  const record = await Campaign.findById(campaign).setOptions({ scope: 'system' }).lean<CampaignRecord>();
  if (!record) throw notFound();
  const actual = await tallyEnrolments(record);
  const stored = await ProgressCounter.find({ province: record.province, campaign }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
  const storedByCode = new Map(stored.map((c) => [c.placeCode, c]));

  const drifted: CounterDrift[] = [];
  const fixes = [];
  for (const [code, tally] of actual) {
    const counter = storedByCode.get(code);
    const counted = { logged: counter?.logged ?? 0, verified: counter?.verified ?? 0 };
    if (counter && sameCounts(counter, tally)) continue;
    drifted.push({ placeCode: code, counted, actual: { logged: tally.logged, verified: tally.verified } });
    fixes.push({
      updateOne: {
        filter: { province: tally.province, campaign, placeCode: code },
        update: {
          $set: { logged: tally.logged, verified: tally.verified, byMonth: tally.byMonth },
          $setOnInsert: { level: levelOfCode(code, !hasChildren(actual, code)), placePath: tally.placePath },
        },
        upsert: true,
      },
    });
  }
  for (const counter of stored) {
    if (actual.has(counter.placeCode) || (counter.logged === 0 && counter.verified === 0 && isEmptyMonths(counter.byMonth))) continue;
    drifted.push({ placeCode: counter.placeCode, counted: { logged: counter.logged, verified: counter.verified }, actual: { logged: 0, verified: 0 } });
    fixes.push({ updateOne: { filter: { province: counter.province, _id: counter._id }, update: { $set: { logged: 0, verified: 0, byMonth: {} } } } });
  }
  if (fixes.length > 0) await ProgressCounter.bulkWrite(fixes, { ordered: false });
  return { campaign: String(campaign), counters: actual.size, drifted };
}

/**
 * Logged and verified per place (and every ancestor) and per Jalali month, straight from the enrolments. The
 * match names the province first, so the enrolments' province-led indexes (the shard key) serve it.
 */
async function tallyEnrolments(campaign: CampaignRecord): Promise<Map<string, PlaceTally>> {
  const months = monthsBetween(campaign.startsAt, new Date(campaign.endsAt.getTime() - 1));
  // enrolments are logged only while the campaign is open; anything outside falls into its first or last month
  const monthOfCreation = { $switch: { branches: months.map((m) => ({ case: { $lt: ['$createdAt', m.end] }, then: m.key })), default: months[months.length - 1]!.key } };
  const groups = await mongoose.connection
    .collection('enrolments')
    .aggregate<{ _id: { placePath: string[]; province: string; month: string }; logged: number; verified: number; online: number }>([
      { $match: { province: campaign.province, campaign: campaign._id, status: { $in: ['logged', 'verified'] } } },
      {
        $group: {
          _id: { placePath: '$placePath', province: '$province', month: monthOfCreation },
          logged: { $sum: 1 },
          verified: { $sum: { $cond: [{ $eq: ['$status', 'verified'] }, 1, 0] } },
          online: { $sum: { $cond: [{ $eq: ['$channel', 'online'] }, 1, 0] } },
        },
      },
    ])
    .toArray();

  const tallies = new Map<string, PlaceTally>();
  for (const group of groups) {
    const { placePath, province, month } = group._id;
    placePath.forEach((code, index) => {
      const tally = tallies.get(code) ?? { placePath: placePath.slice(0, index + 1), province, logged: 0, verified: 0, byMonth: {} };
      tally.logged += group.logged;
      tally.verified += group.verified;
      const inMonth = (tally.byMonth[month] ??= { logged: 0, verified: 0, online: 0 });
      inMonth.logged += group.logged;
      inMonth.verified += group.verified;
      inMonth.online! += group.online;
      tallies.set(code, tally);
    });
  }
  return tallies;
}

/** The Jalali months from the one holding `first` to the one holding `last`, with the instant each ends. */
function monthsBetween(first: Date, last: Date): { key: string; end: Date }[] {
  const months: { key: string; end: Date }[] = [];
  let key = monthOf(first);
  const lastKey = monthOf(last);
  for (;;) {
    const { year, month } = parseJalaliMonthKey(key)!;
    const end = jalaliMonthBounds(year, month).end;
    months.push({ key, end });
    if (key === lastKey) return months;
    key = monthOf(end);
  }
}

function sameCounts(counter: ProgressCounterRecord, tally: PlaceTally): boolean {
  if (counter.logged !== tally.logged || counter.verified !== tally.verified) return false;
  const months = new Set([...Object.keys(counter.byMonth ?? {}), ...Object.keys(tally.byMonth)]);
  for (const month of months) {
    const a = counter.byMonth?.[month] ?? { logged: 0, verified: 0 };
    const b = tally.byMonth[month] ?? { logged: 0, verified: 0 };
    // counters written before the channel was counted have no `online`: the rebuild fills it in
    if (a.logged !== b.logged || a.verified !== b.verified || (a.online ?? 0) !== (b.online ?? 0) || (b.logged > 0 && a.online === undefined)) return false;
  }
  return true;
}

function isEmptyMonths(byMonth: Record<string, MonthCount> | undefined): boolean {
  return Object.values(byMonth ?? {}).every((m) => m.logged === 0 && m.verified === 0);
}

function hasChildren(tallies: Map<string, PlaceTally>, code: string): boolean {
  for (const tally of tallies.values()) if (tally.placePath.length > 1 && tally.placePath[tally.placePath.length - 2] === code) return true;
  return false;
}
