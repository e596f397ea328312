import mongoose, { Types } from 'mongoose';
import type { CampaignRecord } from '../../models/campaign.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { ProgressCounter, type ProgressCounterRecord } from '../../models/progress-counter.model.js';
import { Quota, type HolderLevel, type QuotaRecord } from '../../models/quota.model.js';
import { QuotaChange, type QuotaChangeRecord, type QuotaChangeSource } from '../../models/quota-change.model.js';
import { isInScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import { AppError, notFound } from '../errors/app-error.js';
import { comparePersian } from '../shared/persian-text.js';
import { proposeAllocation } from './allocation.js';
import type { Milestone } from './pace.js';

/**
 * Quotas: the target of each holder (a village head, a district governor, a small town's mayor; counties and
 * the province hold the totals allocations start from). Quotas are typed one by one, uploaded, or saved from
 * an allocation proposal; every change is kept in quota_changes, written in the same transaction as the quota.
 */

export interface QuotaEntry {
  placeCode: string;
  target: number;
  milestones?: Milestone[];
}

export interface Holder {
  place: PlaceRecord;
  holderLevel: HolderLevel;
}

/** Why a place cannot hold a quota, as a catalogue key (the upload names it per row). */
export type HolderProblem = 'quotas.unknownPlace' | 'errors.outOfScope' | 'quotas.notHolder' | 'quotas.notSmallTown';

/**
 * The holder each place would be, or the problem: it must exist, lie in the campaign's province and in the
 * user's area, and be a county, district, village, or a town under the campaign's threshold.
 */
export async function findHolders(user: ScopeUser, campaign: CampaignRecord, codes: readonly string[]): Promise<Map<string, Holder | HolderProblem>> {
  const places = await Place.find({ code: { $in: [...new Set(codes)] } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const byCode = new Map(places.map((p) => [p.code, p]));
  return new Map(
    codes.map((code) => {
      const place = byCode.get(code);
      if (!place) return [code, 'quotas.unknownPlace'];
      if (place.province !== campaign.province || !isInScope(user, place)) return [code, 'errors.outOfScope'];
      const holderLevel = holderLevelOf(place, campaign);
      return [code, typeof holderLevel === 'string' && holderLevel.startsWith('quotas.') ? (holderLevel as HolderProblem) : { place, holderLevel: holderLevel as HolderLevel }];
    }),
  );
}

function holderLevelOf(place: PlaceRecord, campaign: CampaignRecord): HolderLevel | HolderProblem {
  switch (place.level) {
    case 'province':
    case 'county':
    case 'district':
    case 'village':
      return place.level;
    case 'city':
      return place.population !== null && place.population !== undefined && place.population < campaign.townThreshold ? 'town' : 'quotas.notSmallTown';
    default:
      return 'quotas.notHolder';
  }
}

function holderError(problem: HolderProblem, code: string, campaign: CampaignRecord): AppError {
  if (problem === 'errors.outOfScope') return new AppError('outOfScope', problem, 403);
  if (problem === 'quotas.unknownPlace') return notFound();
  return new AppError(problem === 'quotas.notHolder' ? 'notHolder' : 'notSmallTown', problem, 422, { place: code, threshold: campaign.townThreshold });
}

export interface QuotaSaved {
  placeCode: string;
  from: number | null;
  target: number;
  /** Enrolments already logged there when the new target is below them (allowed, with a warning). */
  alreadyAchieved: number | null;
}

/** Sets one holder's quota (typed on the page or PUT through the API). */
export async function setQuota(user: AuthUser, campaign: CampaignRecord, entry: QuotaEntry, change: { source: QuotaChangeSource; reason?: string }): Promise<QuotaSaved> {
  const holder = (await findHolders(user, campaign, [entry.placeCode])).get(entry.placeCode)!;
  if (typeof holder === 'string') throw holderError(holder, entry.placeCode, campaign);
  checkMilestones(entry);
  const [saved] = await saveQuotas(user, campaign, [{ entry, holder }], change);
  return saved!;
}

/** Sets many quotas at once, all or none (an upload, a saved allocation). Every place must already be checked. */
export async function saveQuotas(
  user: AuthUser,
  campaign: CampaignRecord,
  rows: readonly { entry: QuotaEntry; holder: Holder }[],
  change: { source: QuotaChangeSource; reason?: string },
): Promise<QuotaSaved[]> {
  const codes = rows.map((r) => r.entry.placeCode);
  const userId = new Types.ObjectId(user.id);
  let saved: QuotaSaved[] = [];
  await mongoose.connection.transaction(async (session) => {
    const existing = await Quota.find({ campaign: campaign._id, placeCode: { $in: codes } }).setOptions({ scope: 'system' }).session(session).lean<QuotaRecord[]>();
    const before = new Map(existing.map((q) => [q.placeCode, q]));
    const changed = rows.filter(({ entry }) => {
      const old = before.get(entry.placeCode);
      return !old || old.target !== entry.target || (entry.milestones !== undefined && JSON.stringify(old.milestones) !== JSON.stringify(entry.milestones));
    });
    if (changed.length === 0) {
      saved = rows.map(({ entry }) => ({ placeCode: entry.placeCode, from: entry.target, target: entry.target, alreadyAchieved: null }));
      return;
    }
    await Quota.bulkWrite(
      changed.map(({ entry, holder }) => ({
        updateOne: {
          filter: { province: campaign.province, campaign: campaign._id, placeCode: entry.placeCode },
          update: {
            $set: { target: entry.target, updatedBy: userId, holderLevel: holder.holderLevel, ...(entry.milestones ? { milestones: entry.milestones } : {}) },
            $setOnInsert: { placePath: holder.place.placePath },
          },
          upsert: true,
        },
      })),
      { session },
    );
    await QuotaChange.insertMany(
      changed.map(({ entry, holder }) => ({
        campaign: campaign._id,
        placeCode: entry.placeCode,
        from: before.get(entry.placeCode)?.target ?? null,
        to: entry.target,
        source: change.source,
        reason: change.reason ?? '',
        changedBy: userId,
        province: campaign.province,
        placePath: holder.place.placePath,
      })),
      { session },
    );
    saved = rows.map(({ entry }) => ({ placeCode: entry.placeCode, from: before.get(entry.placeCode)?.target ?? null, target: entry.target, alreadyAchieved: null }));
  });
  const counters = await ProgressCounter.find({ campaign: campaign._id, placeCode: { $in: codes } }).setOptions({ scope: 'system' }).lean<ProgressCounterRecord[]>();
  const logged = new Map(counters.map((c) => [c.placeCode, c.logged]));
  return saved.map((s) => ({ ...s, alreadyAchieved: (logged.get(s.placeCode) ?? 0) > s.target ? logged.get(s.placeCode)! : null }));
}

/** Milestones must be cumulative (never falling) and within the target. */
function checkMilestones(entry: QuotaEntry): void {
  let previous = 0;
  for (const milestone of entry.milestones ?? []) {
    if (milestone.cumulativeTarget < previous || milestone.cumulativeTarget > entry.target) {
      throw new AppError('validation', 'errors.validation', 422, {}, { milestones: 'quotas.milestonesInvalid' });
    }
    previous = milestone.cumulativeTarget;
  }
}

export interface QuotaView extends QuotaEntry {
  name: string;
  level: string;
  holderLevel: HolderLevel | null;
  milestones: Milestone[];
  logged: number;
  history: (Pick<QuotaChangeRecord, 'from' | 'to' | 'source' | 'reason' | 'createdAt'> & { changedBy: string })[];
}

/** A place's quota with its whole history, newest change first (who, when, from, to, how). */
export async function quotaOf(user: ScopeUser, campaign: CampaignRecord, placeCode: string): Promise<QuotaView> {
  const holder = (await findHolders(user, campaign, [placeCode])).get(placeCode)!;
  if (holder === 'quotas.unknownPlace' || holder === 'errors.outOfScope') throw holderError(holder, placeCode, campaign);
  const place = typeof holder === 'string' ? await Place.findOne({ code: placeCode }).setOptions({ scope: user }).lean<PlaceRecord>() : holder.place;
  const [quota, changes, counter] = await Promise.all([
    Quota.findOne({ campaign: campaign._id, placeCode }).setOptions({ scope: user }).lean<QuotaRecord>(),
    QuotaChange.find({ campaign: campaign._id, placeCode }).setOptions({ scope: user }).sort({ createdAt: -1, _id: -1 }).populate<{ changedBy: { displayName: string } }>({ path: 'changedBy', select: 'displayName', options: { scope: 'system' } }).lean(),
    ProgressCounter.findOne({ campaign: campaign._id, placeCode }).setOptions({ scope: user }).lean<ProgressCounterRecord>(),
  ]);
  return {
    placeCode,
    name: place!.name,
    level: place!.level,
    holderLevel: typeof holder === 'string' ? null : holder.holderLevel,
    target: quota?.target ?? 0,
    milestones: quota?.milestones ?? [],
    logged: counter?.logged ?? 0,
    history: changes.map((c) => ({ from: c.from ?? null, to: c.to, source: c.source, reason: c.reason, createdAt: c.createdAt, changedBy: c.changedBy?.displayName ?? '' })),
  };
}

export const ALLOCATION_LEVELS = ['county', 'district', 'village', 'town'] as const;
export type AllocationLevel = (typeof ALLOCATION_LEVELS)[number];
export const ALLOCATION_BASES = ['population', 'rural_population'] as const;
export type AllocationBasis = (typeof ALLOCATION_BASES)[number];

export interface AllocationRequest {
  level: AllocationLevel;
  total: number;
  basis: AllocationBasis;
  /** Split within this place (a county's total over its districts); the campaign's province by default. */
  parent?: string;
}

export interface ProposedQuota {
  place: string;
  name: string;
  weight: number | null;
  target: number;
}

/**
 * A proposal, nothing saved: `total` split over the places of `level` under `parent` in proportion to their
 * population or rural population, by largest remainder so the parts add up to the total exactly. A village is
 * rural through and through, so its whole population is its rural population; a town's weight is always its
 * population (a town has no rural population). Towns are the cities under the campaign's threshold.
 */
export async function proposeAllocationFor(user: ScopeUser, campaign: CampaignRecord, request: AllocationRequest): Promise<ProposedQuota[]> {
  const parent = request.parent ?? campaign.province;
  const holder = (await findHolders(user, campaign, [parent])).get(parent)!;
  if (holder === 'quotas.unknownPlace' || holder === 'errors.outOfScope') throw holderError(holder, parent, campaign);
  const filter: Record<string, unknown> =
    request.level === 'town'
      ? { level: 'city', placePath: parent, population: { $lt: campaign.townThreshold } }
      : { level: request.level, placePath: parent };
  const places = (await Place.find(filter).setOptions({ scope: user }).lean<PlaceRecord[]>()).sort((a, b) => comparePersian(a.name, b.name));
  if (places.length === 0) throw new AppError('noPlaces', 'quotas.noPlacesToAllocate', 422);
  const weightOf = (p: PlaceRecord): number | null =>
    request.basis === 'population' || request.level === 'village' || request.level === 'town' ? (p.population ?? null) : (p.ruralPopulation ?? null);
  const parts = proposeAllocation(request.total, places.map((p) => ({ key: p.code, weight: weightOf(p) })));
  return parts.map((part, index) => ({ place: part.key, name: places[index]!.name, weight: weightOf(places[index]!), target: part.target }));
}

export interface QuotaExcess {
  placeCode: string;
  target: number;
  /** The sum of the quotas set directly below it (the nearest quota-holding places under it). */
  below: number;
}

/**
 * Quotas that do not add up, around `placeCode`: the place itself, and the nearest place above it with a quota,
 * each when the quotas set directly below it sum to more than its own. A warning, not a refusal: the province may
 * be mid-way through a redistribution.
 */
export async function quotaExcesses(user: ScopeUser, campaign: CampaignRecord, placeCode: string): Promise<QuotaExcess[]> {
  const own = await Quota.findOne({ province: campaign.province, campaign: campaign._id, placeCode }).setOptions({ scope: 'system' }).lean<QuotaRecord>();
  const ancestors = own ? own.placePath.slice(0, -1) : ((await Place.findOne({ code: placeCode }).setOptions({ scope: 'system' }).lean<PlaceRecord>())?.ancestors ?? []);
  const above = await Quota.find({ province: campaign.province, campaign: campaign._id, placeCode: { $in: ancestors } }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>();
  // the place above is reported only to whoever may see it
  const nearestAbove = above.filter((q) => isInScope(user, q)).sort((a, b) => b.placePath.length - a.placePath.length)[0];
  const excesses: QuotaExcess[] = [];
  for (const quota of [own, nearestAbove]) {
    if (!quota) continue;
    const under = await Quota.find({ province: campaign.province, campaign: campaign._id, placePath: quota.placeCode, placeCode: { $ne: quota.placeCode } }).setOptions({ scope: 'system' }).lean<QuotaRecord[]>();
    const excess = excessOver(quota, under);
    if (excess) excesses.push(excess);
  }
  return excesses;
}

/**
 * The rule of quotas that do not add up, for the quota page, the quota API and the dashboard alike: the quotas
 * set directly below `quota` (no other quota-holding place between them and it) sum to more than its own.
 * `quotas` may hold any of the campaign's quotas; only those below `quota` count.
 */
export function excessOver(quota: QuotaRecord, quotas: readonly QuotaRecord[]): QuotaExcess | null {
  const under = quotas.filter((q) => q.placeCode !== quota.placeCode && q.placePath.includes(quota.placeCode));
  const holders = new Set(under.map((q) => q.placeCode));
  const direct = under.filter((q) => !q.placePath.slice(q.placePath.indexOf(quota.placeCode) + 1, -1).some((code) => holders.has(code)));
  const below = direct.reduce((sum, q) => sum + q.target, 0);
  return below > quota.target ? { placeCode: quota.placeCode, target: quota.target, below } : null;
}
