import type { ClientSession, Types } from 'mongoose';
import { Campaign, type CampaignRecord } from '../../models/campaign.model.js';
import { Enrolment, type EnrolmentRecord, type EnrolmentStatus } from '../../models/enrolment.model.js';
import { Place, type PlaceLevel, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { assertInScope, isInScope, type AuthUser, type ScopeUser } from '../auth/scope.js';
import { inTransaction } from '../db/transaction.js';
import { AppError, notFound } from '../errors/app-error.js';
import { countEnrolment } from '../quotas/progress.service.js';
import { fromJalali, toJalali } from '../shared/jalali.js';
import { checkEligibility, type Residence } from './eligibility.js';
import { canonicalBirthDate, invalidEnrolment, readEnrolmentInput, type EnrolmentInput } from './validation.js';

/** Who writes an enrolment: the signed-in user (their id is kept as `createdBy`, their area bounds the place). */
export type Actor = Pick<AuthUser, 'id' | 'role' | 'placeCode' | 'province'>;

/** Enrolments are logged at a village or a town; a nomad at the village or town where their tribe is registered. */
const ENROLMENT_LEVELS: readonly PlaceLevel[] = ['village', 'city'];

/**
 * Logs one enrolment, the story of the form and of `POST /api/v1/enrolments`: read every field (422 naming each
 * bad one), find the place in the user's area (403 outside it), the campaign open today in that province, check
 * the fund's joining rules against the campaign's settings (422 with the reason), refuse a national ID already
 * enrolled in the province (409, saying where when the user may see that place), then write the enrolment and
 * its progress counters in one transaction.
 */
export async function logEnrolment(actor: Actor, raw: Record<string, unknown>, now = new Date()): Promise<EnrolmentRecord> {
  const read = readEnrolmentInput(raw);
  if (!read.ok) throw invalidEnrolment(read.fields);
  const place = await enrolmentPlace(actor, read.input.village);
  const campaign = await resolveCampaign(actor, read.input.campaign, now);
  const enrolment = newEnrolment(actor, read.input, campaign, place, now);
  await assertNotEnrolled(actor, place.province, enrolment.nationalId);
  return saveEnrolment(actor, enrolment, place);
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
  createdBy: string;
  createdAt: Date;
  importBatch?: Types.ObjectId;
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
    sex: input.sex,
    mobile: input.mobile,
    targetGroup: input.targetGroup,
    channel: input.channel,
    ...(input.inPersonReason ? { inPersonReason: input.inPersonReason } : {}),
    ...(input.referringAgency ? { referringAgency: input.referringAgency } : {}),
    status: 'logged',
    createdBy: actor.id,
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
  let place: PlaceRecord;
  try {
    place = await assertInScope(actor, code ?? actor.placeCode);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw invalidEnrolment({ village: 'enrolments.placeNotFound' });
    if (err instanceof AppError && err.status === 403) throw new AppError('outOfScope', 'errors.outOfScope', 403, {}, { village: 'errors.outOfScope' });
    throw err;
  }
  if (!ENROLMENT_LEVELS.includes(place.level as PlaceLevel)) throw invalidEnrolment({ village: code ? 'enrolments.placeLevel' : 'validation.required' });
  return place;
}

/** The campaigns of the user's province open on `now` (campaigns are province-wide; every role of the province works in them). */
export async function openCampaigns(actor: Pick<ScopeUser, 'province'>, now = new Date()): Promise<CampaignRecord[]> {
  return Campaign.find({ province: actor.province, startsAt: { $lte: now }, endsAt: { $gt: now } })
    .setOptions({ scope: 'system' })
    .sort({ startsAt: -1 })
    .lean<CampaignRecord[]>();
}

/** The campaign named, or the one campaign open today when none is named (422 on the campaign field otherwise). */
export async function resolveCampaign(actor: Actor, id: string | undefined, now: Date): Promise<CampaignRecord> {
  if (!id) {
    const open = await openCampaigns(actor, now);
    if (open.length === 1) return open[0]!;
    throw invalidEnrolment({ campaign: open.length === 0 ? 'enrolments.noOpenCampaign' : 'validation.required' });
  }
  const campaign = await Campaign.findOne({ _id: id, province: actor.province }).setOptions({ scope: 'system' }).lean<CampaignRecord>();
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

async function assertNotEnrolled(actor: ScopeUser, province: string, nationalId: string): Promise<void> {
  const existing = await Enrolment.findOne({ province, nationalId }).setOptions({ scope: 'system' }).select('place province placePath').lean<EnrolmentRecord>();
  if (existing) throw await alreadyEnrolled(actor, existing);
}

/** 409. Where the person is enrolled is said only to a user who may see that place. */
export async function alreadyEnrolled(actor: ScopeUser, existing: Pick<EnrolmentRecord, 'place' | 'province' | 'placePath'>): Promise<AppError> {
  const fields = { nationalId: 'enrolments.alreadyEnrolled' };
  if (!isInScope(actor, existing)) return new AppError('duplicate', 'enrolments.duplicate', 409, {}, fields);
  const place = await Place.findOne({ code: existing.place }).setOptions({ scope: 'system' }).select('name').lean<PlaceRecord>();
  return new AppError('duplicate', 'enrolments.duplicateAt', 409, { place: place?.name ?? existing.place }, fields);
}

/**
 * The enrolment and its counters together or not at all. Two users submitting the same national ID at once both
 * pass the check above; the unique index lets exactly one insert through and the other gets the same 409.
 */
export async function saveEnrolment(actor: Actor, doc: NewEnrolment, place: PlaceRecord): Promise<EnrolmentRecord> {
  try {
    return await inTransaction(async (session) => {
      const [created] = await Enrolment.create([doc], { session });
      const enrolment = created!.toObject() as EnrolmentRecord;
      await countEnrolment({ campaignId: enrolment.campaign, place: countedPlace(place), logged: 1, verified: 0, at: enrolment.createdAt }, session);
      return enrolment;
    }, { queue: counterQueue(doc.campaign) });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const existing = await Enrolment.findOne({ province: doc.province, nationalId: doc.nationalId }).setOptions({ scope: 'system' }).lean<EnrolmentRecord>();
    if (!existing) throw err;
    throw await alreadyEnrolled(actor, existing);
  }
}

/** Every enrolment write of a campaign moves its province's counter: they queue rather than conflict. */
export function counterQueue(campaign: Types.ObjectId): string {
  return `counters:${String(campaign)}`;
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
      { $set: { status: 'rejected', rejectionReason: reason, rejectedBy: actor.id, rejectedAt: now } },
      { session },
    )
      .setOptions({ scope: actor })
      .lean<EnrolmentRecord>();
    if (!before) throw await cannotChange(actor, id, session);
    await countEnrolment(
      { campaignId: before.campaign, place: enrolmentPlaceOf(before), logged: -1, verified: before.status === 'verified' ? -1 : 0, at: before.createdAt },
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
  const found = await Enrolment.find({}).setOptions({ scope: actor }).sort({ createdAt: -1 }).limit(limit).lean<EnrolmentRecord[]>();
  return withPlaceNames(found);
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

async function withPlaceNames(enrolments: EnrolmentRecord[]): Promise<EnrolmentView[]> {
  const places = await Place.find({ code: { $in: [...new Set(enrolments.map((e) => e.place))] } }).setOptions({ scope: 'system' }).select('code name').lean<PlaceRecord[]>();
  const names = new Map(places.map((p) => [p.code, p.name]));
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
    placeName: names.get(e.place) ?? e.place,
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
