import mongoose, { type ClientSession, type Types } from 'mongoose';
import { Agreement, type AgreementLevel, type AgreementRecord } from '../../models/agreement.model.js';
import { Committee, type CommitteeRecord } from '../../models/committee.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { Resolution, type DeadlineRecord, type ResolutionRecord } from '../../models/resolution.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { isInScope, outOfScope, type AuthUser, type QueryScope, type ScopeUser } from '../auth/scope.js';
import { requireAgencies } from '../committees/agencies.service.js';
import { createCommittee, getCommittee } from '../committees/committees.service.js';
import { dueDate, validateDeadline } from '../committees/deadlines.js';
import { AppError, forbidden, notFound, validationFailed } from '../errors/app-error.js';
import { requireTopic } from '../field-problems/topics.service.js';
import { toJalali, type JalaliDate } from '../shared/jalali.js';
import { requireAxis } from './axes.service.js';

/** The agreement's owner: the governor's office of its province adopts or declines clauses and sets up its working group. */
export function ownsAgreement(user: ScopeUser, agreement: AgreementRecord): boolean {
  return user.role === 'governor-office' && isInScope(user, agreement);
}

export function assertOwner(user: ScopeUser, agreement: AgreementRecord): void {
  if (!isInScope(user, agreement)) throw outOfScope();
  if (!ownsAgreement(user, agreement)) throw new AppError('forbidden', 'agreements.notOwner', 403);
}

const jalaliDay = (instant: Date): JalaliDate => {
  const j = toJalali(instant);
  return { year: j.year, month: j.month, day: j.day };
};

export interface AgreementInput {
  title: string;
  parties: string[];
  signedOn: JalaliDate;
  level: AgreementLevel;
  groupSize?: number;
  smallTownThreshold?: number;
  illustrative?: boolean;
}

/**
 * The governor's office records an agreement its province follows up. Its working group (a committee of the kind
 * `volunteer-working-group`, at the province) is set up with it, empty; volunteers join with `setVolunteers`.
 */
export async function createAgreement(actor: AuthUser, input: AgreementInput, now = new Date()): Promise<AgreementRecord> {
  if (actor.role !== 'governor-office') throw forbidden();
  const group = await createCommittee(actor, { kind: 'volunteer-working-group', name: `کارگروه داوطلبان — ${input.title}`.slice(0, 300), place: actor.province, meetsMonthly: false, members: [] });
  const created = await new Agreement({
    title: input.title,
    parties: input.parties,
    signedOn: input.signedOn,
    level: input.level,
    workingGroup: group._id,
    ...(input.groupSize ? { groupSize: input.groupSize } : {}),
    ...(input.smallTownThreshold ? { smallTownThreshold: input.smallTownThreshold } : {}),
    ...(input.illustrative ? { illustrative: true } : {}),
    createdBy: actor.username,
    history: [{ at: now, by: actor.username, byName: actor.username, action: 'recorded' }],
    province: actor.province,
    placePath: [actor.province],
  }).save();
  return created.toObject() as unknown as AgreementRecord;
}

export async function listAgreements(user: ScopeUser): Promise<AgreementRecord[]> {
  // agreements sit at the province: everyone in it reads them (their clauses are commitments of the whole province)
  return Agreement.find({}).setOptions({ scope: provinceScope(user) }).sort({ createdAt: -1 }).lean<AgreementRecord[]>();
}

export async function getAgreement(user: ScopeUser, id: string | Types.ObjectId): Promise<AgreementRecord> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const agreement = await Agreement.findById(id).setOptions({ scope: 'system' }).lean<AgreementRecord>();
  if (!agreement) throw notFound();
  if (agreement.province !== user.province) throw outOfScope();
  return agreement;
}

const provinceScope = (user: ScopeUser): ScopeUser => ({ role: 'governor-office', placeCode: user.province, province: user.province });

export async function workingGroupOf(agreement: AgreementRecord): Promise<CommitteeRecord | null> {
  return agreement.workingGroup ? Committee.findById(agreement.workingGroup).setOptions({ scope: 'system' }).lean<CommitteeRecord>() : null;
}

/** The agreements `user` may propose clauses to: all of the province's for its governor's office, else those whose working group they serve on. */
export async function agreementsToPropose(user: AuthUser): Promise<{ id: string; title: string }[]> {
  const all = await listAgreements(user);
  const allowed = [];
  for (const agreement of all) if (ownsAgreement(user, agreement) || (await isVolunteer(user, agreement))) allowed.push({ id: String(agreement._id), title: agreement.title });
  return allowed;
}

/** Whether `user` is one of the agreement's working-group volunteers (by account). */
export async function isVolunteer(user: Pick<AuthUser, 'username'>, agreement: AgreementRecord): Promise<boolean> {
  const group = await workingGroupOf(agreement);
  return Boolean(group?.members.some((m) => m.username === user.username));
}

/**
 * The owner names the working group's volunteers by their accounts: mayors of the province by default (as in
 * seed 000), of towns under the agreement's population threshold, at most `groupSize` of them. Each refusal names
 * the account and why; nothing changes when one is refused.
 */
export async function setVolunteers(actor: AuthUser, agreementId: string, usernames: string[], now = new Date()): Promise<CommitteeRecord> {
  const agreement = await getAgreement(actor, agreementId);
  assertOwner(actor, agreement);
  const unique = [...new Set(usernames)];
  if (unique.length > agreement.groupSize) throw validationFailed({ volunteers: 'agreements.groupTooLarge' });
  const users = await User.find({ username: { $in: unique } }).setOptions({ scope: actor }).lean<UserRecord[]>();
  const places = await Place.find({ code: { $in: users.map((u) => u.placeCode) } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const population = new Map(places.map((p) => [p.code, { pop: p.population, name: p.name }]));
  for (const username of unique) {
    const user = users.find((u) => u.username === username);
    if (!user || user.role !== 'mayor') throw validationFailed({ volunteers: 'agreements.volunteerNotMayor' });
    const town = population.get(user.placeCode);
    if (town?.pop == null || town.pop >= agreement.smallTownThreshold) throw validationFailed({ volunteers: 'agreements.townNotSmall' });
  }
  const group = await workingGroupOf(agreement);
  if (!group) throw notFound();
  const members = unique.map((username) => {
    const user = users.find((u) => u.username === username)!;
    return { kind: 'person' as const, name: user.displayName ?? username, title: population.get(user.placeCode)?.name, username };
  });
  await mongoose.connection.transaction(async (session) => {
    await Committee.updateOne({ _id: group._id }, { $set: { members } }, { session }).setOptions({ scope: actor });
    await Agreement.updateOne({ _id: agreement._id }, { $push: { history: { at: now, by: actor.username, byName: actor.username, action: 'volunteers', detail: unique.join('، ') } } }, { session }).setOptions({ scope: actor });
  });
  return getCommittee(actor, group._id);
}

export interface ClauseInput {
  text: string;
  agency: string;
  collaborators?: string[];
  deadline: DeadlineRecord;
  topics?: string[];
  policyAxis?: string;
  /** Why it is added (shown in the history). */
  reason?: string;
  /** The day it is communicated, from which "within" deadlines run: the day it is added by default. */
  communicatedOn?: JalaliDate;
  illustrative?: boolean;
}

/** Checks what a clause names (agency, topics, axis, deadline) before anything is written; each problem beside its field. */
export async function checkClause(user: ScopeUser, input: ClauseInput, on: JalaliDate): Promise<void> {
  await requireAgencies(user.province, [input.agency], 'agency');
  await requireAgencies(user.province, input.collaborators ?? [], 'collaborators');
  for (const topic of input.topics ?? []) await requireTopic(user, topic, 'topics');
  await requireAxis(user.province, input.policyAxis);
  const check = validateDeadline(input.deadline, on);
  if (!check.ok) throw validationFailed({ deadline: `committees.${check.reason}` });
}

/**
 * Adds clause N to the agreement and the commitment it puts on its responsible party: a resolution document of
 * the agreement (no meeting), with the same deadline rules, progress updates and reminders as any resolution.
 * Runs inside the caller's transaction; the agreement's counter hands out the number.
 */
export async function writeClause(actor: AuthUser, agreement: AgreementRecord, input: ClauseInput & { proposal?: Types.ObjectId }, session: ClientSession, now: Date): Promise<{ number: number; commitment: ResolutionRecord }> {
  const communicatedOn = input.communicatedOn ?? jalaliDay(now);
  const counted = await Agreement.findOneAndUpdate({ _id: agreement._id }, { $inc: { clauseCount: 1 } }, { returnDocument: 'after', session }).setOptions({ scope: actor }).lean<AgreementRecord>();
  if (!counted) throw notFound();
  const number = counted.clauseCount;
  const commitment = new Resolution({
    agreement: agreement._id,
    committee: agreement.workingGroup,
    number,
    text: input.text,
    agency: input.agency,
    collaborators: (input.collaborators ?? []).filter((c) => c !== input.agency),
    ...(input.policyAxis ? { policyAxis: input.policyAxis } : {}),
    ...(input.topics?.length ? { topics: input.topics } : {}),
    deadline: input.deadline,
    communicatedOn,
    dueOn: dueDate(input.deadline, communicatedOn),
    status: 'open',
    progress: 0,
    history: [{ at: now, by: actor.username, byName: actor.username, action: 'recorded', ...(input.reason ? { detail: input.reason } : {}) }],
    province: agreement.province,
    placePath: agreement.placePath,
  });
  await commitment.save({ session });
  await Agreement.updateOne(
    { _id: agreement._id },
    {
      $push: {
        clauses: { number, text: input.text, commitment: commitment._id, topics: input.topics ?? [], addedAt: now, addedBy: actor.username, ...(input.reason ? { reason: input.reason } : {}), ...(input.proposal ? { proposal: input.proposal } : {}), ...(input.illustrative ? { illustrative: true } : {}) },
        history: { at: now, by: actor.username, byName: actor.username, action: 'clauseAdded', detail: `${number}${input.reason ? ` — ${input.reason}` : ''}` },
      },
    },
    { session },
  ).setOptions({ scope: actor });
  return { number, commitment: commitment.toObject() as unknown as ResolutionRecord };
}

/** The owner adds a clause directly (one agreed outside the working group); it becomes a commitment at once. */
export async function addClause(actor: AuthUser, agreementId: string, input: ClauseInput, now = new Date()): Promise<{ number: number; commitment: ResolutionRecord }> {
  const agreement = await getAgreement(actor, agreementId);
  assertOwner(actor, agreement);
  await checkClause(actor, input, jalaliDay(now));
  return mongoose.connection.transaction((session) => writeClause(actor, agreement, input, session, now));
}

/** The clauses' commitments, by clause number, as the user may see them. */
export async function clauseCommitments(user: QueryScope, agreement: AgreementRecord): Promise<Map<number, ResolutionRecord>> {
  const records = await Resolution.find({ agreement: agreement._id }).setOptions({ scope: user }).lean<ResolutionRecord[]>();
  return new Map(records.map((r) => [r.number, r]));
}
