import { Types, type ClientSession } from 'mongoose';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Enrolment, FIRST_OF_PERSON_INDEX, type EnrolmentRecord, type EnrolmentStatus } from '../../models/enrolment.model.js';
import type { PlaceLevel, PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { isInScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import { provinceCampaigns } from '../campaigns/campaign-cache.js';
import { inTransaction } from '../db/transaction.js';
import { AppError, notFound } from '../errors/app-error.js';
import { placeByCode, placesByCodes } from '../places/cached-places.js';
import { countEnrolment } from '../quotas/progress.service.js';
import { fromJalali, toJalali } from '../shared/jalali.js';
import { checkEligibility, type Residence } from './eligibility.js';
import { counterQueue, writeEnrolment } from './enrolment-writer.js';
import { idempotent } from './idempotency.js';
import { duplicateFlag, personKey } from './possible-duplicates.js';
import { canonicalBirthDate, invalidEnrolment, readEnrolmentInput, type EnrolmentInput } from './validation.js';

export { counterQueue };

/** Who writes an enrolment: the signed-in user (their id is kept as `createdBy`, their area bounds the place). */
export type Actor = Pick<AuthUser, 'id' | 'role' | 'placeCode' | 'province'>;

/** Enrolments are logged at a village or a town; a nomad at the village or town where their tribe is registered. */
export const ENROLMENT_LEVELS: readonly PlaceLevel[] = ['village', 'city'];

/**
 * Logs one enrolment, the story of the form and of `POST /api/v1/enrolments`: read every field (422 naming each
 * bad one), find the place in the user's area (403 outside it), the campaign open today in that province, check
 * the fund's joining rules against the campaign's settings (422 with the reason), then write the enrolment and
 * its progress counters in one transaction; a national ID already enrolled in the province is refused there by
 * the unique index (409, saying where when the user may see that place). The place and the campaign come from
 * the in-process caches, so an enrolment costs the writes of its (group) transaction and nothing more.
 */
export async function logEnrolment(actor: Actor, raw: Record<string, unknown>, now = new Date(), idempotencyKey?: string): Promise<EnrolmentRecord> {
  // a repeated Idempotency-Key gets the enrolment its first request made (server/enrolments/idempotency.ts)
  return idempotent(actor, idempotencyKey, raw, async (stamp) => {
    const read = readEnrolmentInput(raw);
    if (!read.ok) throw invalidEnrolment(read.fields);
    const place = await enrolmentPlace(actor, read.input.village);
    const campaign = await resolveCampaign(actor, read.input.campaign, now);
    const enrolment = { ...newEnrolment(actor, read.input, campaign, place, now), ...stamp };
    return saveEnrolment(actor, enrolment, place);
  });
}

/** An enrolment ready to be written. */
export interface NewEnrolment {
  campaign: Types.ObjectId;
  place: string;
  province: string;
  placePath: string[];
  nationalId: string;
  firstName: string;
  lastName: string;
  birthDateJalali: string;
  birthDate: Date;
  sex: EnrolmentInput['sex'];
  mobile: string;
  targetGroup: EnrolmentInput['targetGroup'];
  channel: EnrolmentInput['channel'];
  inPersonReason?: EnrolmentInput['inPersonReason'];
  referringAgency?: string;
  status: 'logged';
  createdBy: Types.ObjectId;
  createdAt: Date;
  importBatch?: Types.ObjectId;
  personKey?: string;
  idempotencyKey?: string;
  requestHash?: string;
  firstOfPerson?: string;
  possibleDuplicateOf?: Types.ObjectId;
  duplicateCheck?: 'open';
}

/** Checks the joining rules and makes the record; throws the 422 of the first rule broken. */
export function newEnrolment(actor: Actor, input: EnrolmentInput, campaign: CampaignRecord, place: PlaceRecord, now: Date, importBatch?: Types.ObjectId): NewEnrolment {
  assertEligible(input, campaign, place, now);
  return {
    campaign: campaign._id,
    place: place.code,
    ...placeFields(place),
    nationalId: input.nationalId,
    firstName: input.firstName,
    lastName: input.lastName,
    birthDateJalali: canonicalBirthDate(input.birthDate),
    birthDate: fromJalali(input.birthDate),
    personKey: personKey(input.firstName, input.lastName, canonicalBirthDate(input.birthDate)),
    sex: input.sex,
    mobile: input.mobile,
    targetGroup: input.targetGroup,
    channel: input.channel,
    ...(input.inPersonReason ? { inPersonReason: input.inPersonReason } : {}),
    ...(input.referringAgency ? { referringAgency: input.referringAgency } : {}),
    status: 'logged',
    createdBy: new Types.ObjectId(actor.id),
    createdAt: now,
    ...(importBatch ? { importBatch } : {}),
  };
}

/**
 * The village or town of the enrolment: the one named, or the user's own. Outside the user's area is 403
 * (the field is named too, so the form can show it beside the village); an unknown code or a place that is
 * no village or town is 422.
 */
export async function enrolmentPlace(actor: ScopeUser, code: string | undefined): Promise<PlaceRecord> {
  const place = await placeByCode(code ?? actor.placeCode);
  if (!place) throw invalidEnrolment({ village: 'enrolments.placeNotFound' });
  if (!isInScope(actor, place)) throw new AppError('outOfScope', 'errors.outOfScope', 403, {}, { village: 'errors.outOfScope' });
  if (!ENROLMENT_LEVELS.includes(place.level as PlaceLevel)) throw invalidEnrolment({ village: code ? 'enrolments.placeLevel' : 'validation.required' });
  return place;
}

/** The campaigns of the user's province open on `now` (campaigns are province-wide; every role of the province works in them). */
export async function openCampaigns(actor: Pick<ScopeUser, 'province'>, now = new Date()): Promise<CampaignRecord[]> {
  const notEnded = await campaignsNotEnded(actor.province, now);
  if (notEnded) return notEnded.filter((c) => c.startsAt <= now && now < c.endsAt);
  return Campaign.find({ province: actor.province, startsAt: { $lte: now }, endsAt: { $gt: now } })
    .setOptions({ scope: 'system' })
    .sort({ startsAt: -1 })
    .lean<CampaignRecord[]>();
}

/**
 * The province's campaigns that have not ended, newest start first, from server/campaigns/campaign-cache.ts (read
 * once when missing). Null for a `now` the cached list cannot answer for: before it was read, a campaign that
 * has ended since may be missing from it.
 */
async function campaignsNotEnded(province: string, now: Date): Promise<CampaignRecord[] | null> {
  const readAt = Date.now();
  if (now.getTime() < readAt - 1000 * 60) return null;
  const cached = provinceCampaigns.get(province, readAt);
  if (cached) return now.getTime() >= cached.readAt ? cached.campaigns : null;
  const campaigns = await Campaign.find({ province, endsAt: { $gt: new Date(readAt) } })
    .setOptions({ scope: 'system' })
    .sort({ startsAt: -1 })
    .lean<CampaignRecord[]>();
  provinceCampaigns.set(province, { readAt, campaigns }, Infinity, readAt);
  return now.getTime() >= readAt ? campaigns : null;
}

/** The campaign named, or the one campaign open today when none is named (422 on the campaign field otherwise). */
export async function resolveCampaign(actor: Actor, id: string | undefined, now: Date): Promise<CampaignRecord> {
  if (!id) {
    const open = await openCampaigns(actor, now);
    if (open.length === 1) return open[0]!;
    throw invalidEnrolment({ campaign: open.length === 0 ? 'enrolments.noOpenCampaign' : 'validation.required' });
  }
  const campaign =
    (await campaignsNotEnded(actor.province, now))?.find((c) => String(c._id) === id) ??
    (await Campaign.findOne({ _id: id, province: actor.province }).setOptions({ scope: 'system' }).lean<CampaignRecord>());
  if (!campaign) throw invalidEnrolment({ campaign: 'enrolments.campaignNotFound' });
  if (now < campaign.startsAt || now >= campaign.endsAt) throw invalidEnrolment({ campaign: 'enrolments.campaignClosed' });
  return campaign;
}

/**
 * The fund's public joining rules with the campaign's figures. Residence comes from the place: a village, or a
 * town checked against the campaign's small-town threshold. Nomads are the exception: they are organised by tribe,
 * not by place, and the nomad affairs organisation confirms their residence, so a nomad is covered at any place.
 */
function assertEligible(input: EnrolmentInput, campaign: CampaignRecord, place: PlaceRecord, now: Date): void {
  if (!campaign.targetGroups.includes(input.targetGroup)) throw invalidEnrolment({ targetGroup: 'enrolments.targetGroupNotInCampaign' });
  const residence: Residence = input.targetGroup === 'nomads' ? 'nomadic' : place.level === 'village' ? 'village' : 'town';
  const result = checkEligibility(
    { birthDate: input.birthDate, enrolmentDate: toJalali(now), residence, ...(place.population != null ? { townPopulation: place.population } : {}) },
    { minAge: campaign.minAge, maxAge: campaign.maxAge, townThreshold: campaign.townThreshold },
  );
  if (result.eligible) return;
  const field = result.reason === 'eligibility.residence' ? 'village' : 'birthDate';
  const params = Object.fromEntries(Object.entries(result.params).filter(([, v]) => v !== null)) as Record<string, string | number>;
  throw new AppError('ineligible', result.reason, 422, params, { [field]: `enrolments.field.${result.reason.split('.')[1]}` });
}

/** 409. Where the person is enrolled is said only to a user who may see that place. */
export async function alreadyEnrolled(actor: ScopeUser, existing: Pick<EnrolmentRecord, 'place' | 'province' | 'placePath'>): Promise<AppError> {
  const fields = { nationalId: 'enrolments.alreadyEnrolled' };
  if (!isInScope(actor, existing)) return new AppError('duplicate', 'enrolments.duplicate', 409, {}, fields);
  const place = await placeByCode(existing.place);
  return new AppError('duplicate', 'enrolments.duplicateAt', 409, { place: place?.name ?? existing.place }, fields);
}

/**
 * The enrolment and its counters together or not at all, through the group commit (./enrolment-writer.ts). The
 * unique index `{ province, nationalId }` decides a duplicate, even between two users submitting the same
 * national ID at once: exactly one insert goes through and the other is the 409.
 */
export async function saveEnrolment(actor: Actor, doc: NewEnrolment, place: PlaceRecord): Promise<EnrolmentRecord> {
  const claim = doc.personKey && !doc.possibleDuplicateOf ? { ...doc, firstOfPerson: doc.personKey } : doc;
  try {
    return await writeOne(actor, claim, place);
  } catch (err) {
    if (!personAlreadyClaimed(err)) throw err;
    // another live enrolment of the village has this name and birth date: stored all the same, flagged for the fund manager
    return writeOne(actor, { ...doc, ...(await duplicateFlag(doc)) }, place);
  }
}

async function writeOne(actor: Actor, doc: NewEnrolment, place: PlaceRecord): Promise<EnrolmentRecord> {
  try {
    return await writeEnrolment({ enrolment: doc, place: countedPlace(place) });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000 || personAlreadyClaimed(err)) throw err;
    const existing = await Enrolment.findOne({ province: doc.province, nationalId: doc.nationalId }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
    if (!existing) throw err;
    throw await alreadyEnrolled(actor, existing);
  }
}

/** A duplicate key on the person-key claim (not on the national ID). */
function personAlreadyClaimed(err: unknown): boolean {
  const e = err as { code?: number; message?: string; writeErrors?: { errmsg?: string }[] | { errmsg?: string } };
  if (e?.code !== 11000) return false;
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  return [e.message, first?.errmsg].some((m) => typeof m === 'string' && m.includes(`index: ${FIRST_OF_PERSON_INDEX} `));
}

/** A fund manager confirms a logged enrolment: it now counts as verified as well as logged. */
export async function verifyEnrolment(actor: Actor, id: string, now = new Date()): Promise<EnrolmentRecord> {
  return inTransaction(async (session) => {
    const before = await Enrolment.findOneAndUpdate({ _id: id, status: 'logged' }, { $set: { status: 'verified', verifiedBy: actor.id, verifiedAt: now } }, { session })
      .setOptions({ scope: actor })
      .lean<EnrolmentRecord>();
    if (!before) throw await cannotChange(actor, id, session);
    await countEnrolment({ campaignId: before.campaign, place: enrolmentPlaceOf(before), logged: 0, verified: 1, at: before.createdAt }, session);
    return { ...before, status: 'verified', verifiedBy: actor.id as unknown as Types.ObjectId, verifiedAt: now };
  });
}

/**
 * A fund manager rejects an enrolment with a reason; it stops counting (a verified one stops counting as
 * verified too). The rejection is final, and the record keeps the national ID with its reason.
 */
export async function rejectEnrolment(actor: Actor, id: string, reason: string, now = new Date()): Promise<EnrolmentRecord> {
  return inTransaction(async (session) => {
    const before = await Enrolment.findOneAndUpdate(
      { _id: id, status: { $in: ['logged', 'verified'] } },
      // a rejected enrolment no longer holds its person key: the next one of that name is not flagged against it
      { $set: { status: 'rejected', rejectionReason: reason, rejectedBy: actor.id, rejectedAt: now }, $unset: { firstOfPerson: '' } },
      { session },
    )
      .setOptions({ scope: actor })
      .lean<EnrolmentRecord>();
    if (!before) throw await cannotChange(actor, id, session);
    await countEnrolment(
      { campaignId: before.campaign, place: enrolmentPlaceOf(before), logged: -1, verified: before.status === 'verified' ? -1 : 0, online: before.channel === 'online' ? -1 : 0, at: before.createdAt },
      session,
    );
    return { ...before, status: 'rejected', rejectionReason: reason };
  });
}

/** 404 when the user cannot see the enrolment, 409 when it is already past that step. */
async function cannotChange(actor: Actor, id: string, session: ClientSession): Promise<AppError> {
  const current = await Enrolment.findOne({ _id: id }).setOptions({ scope: actor }).session(session).select('status').lean<EnrolmentRecord>();
  if (!current) return notFound();
  return new AppError('alreadyDecided', `enrolments.already.${current.status}`, 409);
}

export interface EnrolmentView {
  id: string;
  nationalId: string;
  name: string;
  birthDate: string;
  sex: string;
  mobile: string;
  targetGroup: string;
  channel: string;
  referringAgency?: string;
  place: string;
  placeName: string;
  status: EnrolmentStatus;
  rejectionReason?: string;
  createdAt: Date;
}

/** The user's most recent enrolments (a village head: their village's), newest first. */
export async function recentEnrolments(actor: ScopeUser, limit = 10): Promise<EnrolmentView[]> {
  // the province too, whatever the scope: on a cluster sharded by province the query then goes to one shard
  const found = await Enrolment.find({ province: actor.province }).setOptions({ scope: actor }).sort({ createdAt: -1 }).limit(limit).lean<EnrolmentRecord[]>();
  return withPlaceNames(found);
}

/** The name of one enrolment the user may see (null otherwise). */
export async function enrolmentName(actor: ScopeUser, id: string): Promise<string | null> {
  const found = await Enrolment.findOne({ _id: id, province: actor.province }).setOptions({ scope: actor }).select('firstName lastName').lean<EnrolmentRecord>();
  return found ? `${found.firstName} ${found.lastName}` : null;
}

export const VERIFICATION_PAGE_SIZE = 50;

/** The fund manager's list: enrolments of the province in one status, oldest first so nothing waits forever. */
export async function enrolmentsByStatus(actor: ScopeUser, status: EnrolmentStatus, page: number): Promise<{ enrolments: EnrolmentView[]; total: number }> {
  const [found, total] = await Promise.all([
    Enrolment.find({ status })
      .setOptions({ scope: actor })
      .sort({ createdAt: status === 'logged' ? 1 : -1 })
      .skip((page - 1) * VERIFICATION_PAGE_SIZE)
      .limit(VERIFICATION_PAGE_SIZE)
      .lean<EnrolmentRecord[]>(),
    Enrolment.countDocuments({ status }).setOptions({ scope: actor }),
  ]);
  return { enrolments: await withPlaceNames(found), total };
}

export async function withPlaceNames(enrolments: EnrolmentRecord[]): Promise<EnrolmentView[]> {
  const places = await placesByCodes(enrolments.map((e) => e.place));
  return enrolments.map((e) => ({
    id: String(e._id),
    nationalId: e.nationalId,
    name: `${e.firstName} ${e.lastName}`,
    birthDate: e.birthDateJalali,
    sex: e.sex,
    mobile: e.mobile,
    targetGroup: e.targetGroup,
    channel: e.channel,
    ...(e.referringAgency ? { referringAgency: e.referringAgency } : {}),
    place: e.place,
    placeName: places.get(e.place)?.name ?? e.place,
    status: e.status,
    ...(e.rejectionReason ? { rejectionReason: e.rejectionReason } : {}),
    createdAt: e.createdAt,
  }));
}

export function countedPlace(place: PlaceRecord) {
  return { code: place.code, province: place.province, ancestors: place.ancestors, level: place.level as PlaceLevel };
}

/** The counted place of a stored enrolment: its path is its ancestors and then its own place. */
function enrolmentPlaceOf(enrolment: EnrolmentRecord) {
  return { code: enrolment.place, province: enrolment.province, ancestors: enrolment.placePath.slice(0, -1) };
}
