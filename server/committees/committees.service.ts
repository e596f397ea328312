import type { Types } from 'mongoose';
import { Committee, type CommitteeKind, type CommitteeMember, type CommitteeRecord } from '../../models/committee.model.js';
import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { assertInScope, isInScope, outOfScope, type AuthUser, type QueryScope, type ScopeUser } from '../auth/scope.js';
import { AppError, forbidden, notFound, validationFailed } from '../errors/app-error.js';
import { comparePersian } from '../shared/persian-text.js';
import { requireAgencies } from './agencies.service.js';

/** The offices that run committees: the governor's office for the province, a county governor for their county. */
const RUNNING_ROLES = ['governor-office', 'county-governor'] as const;

/** The kind of place each kind of committee sits at (undefined: any). */
const KIND_LEVELS: Partial<Record<CommitteeKind, string>> = { 'provincial-strategic': 'province', 'county-strategic': 'county' };

export interface CommitteeInput {
  kind: CommitteeKind;
  name: string;
  place: string;
  meetsMonthly: boolean;
  chair?: { name: string; email?: string };
  members?: CommitteeMember[];
  reportsTo?: string;
  reportsToText?: string;
}

export interface CommitteeListItem {
  id: string;
  kind: CommitteeKind;
  name: string;
  place: string;
  placeName: string;
  meetsMonthly: boolean;
}

/** A committee the user may see: 404 when there is none, 403 (outside your area) when it is someone else's. */
export async function getCommittee(user: QueryScope, id: string | Types.ObjectId): Promise<CommitteeRecord> {
  const committee = await Committee.findById(id).setOptions({ scope: 'system' }).lean<CommitteeRecord>();
  if (!committee) throw notFound();
  if (!isInScope(user, committee)) throw outOfScope();
  return committee;
}

/** Whether `user` runs this committee's meetings: its place's office (the governor's office for the province, the county governor for the county). */
export function runsCommittee(user: ScopeUser, committee: CommitteeRecord): boolean {
  return (RUNNING_ROLES as readonly string[]).includes(user.role) && isInScope(user, committee);
}

export function assertRunsCommittee(user: ScopeUser, committee: CommitteeRecord): void {
  if (!isInScope(user, committee)) throw outOfScope();
  if (!runsCommittee(user, committee)) throw new AppError('forbidden', 'committees.notChairOffice', 403);
}

/**
 * Sets up a committee at a place in the user's area. A provincial committee sits at a province and a county
 * committee at a county (one per county); agency seats name agencies of the register.
 */
export async function createCommittee(actor: AuthUser, input: CommitteeInput): Promise<CommitteeRecord> {
  if (!(RUNNING_ROLES as readonly string[]).includes(actor.role)) throw forbidden();
  const place = await placeFor(actor, input.place);
  const level = KIND_LEVELS[input.kind];
  if (level && place.level !== level) throw validationFailed({ place: `committees.kindNeedsLevel.${input.kind}` });
  const members = input.members ?? [];
  await requireAgencies(place.province, members.filter((m) => m.kind === 'agency').map((m) => m.agency ?? ''), 'members');
  if (input.reportsTo) await getCommittee(actor, input.reportsTo);
  if (input.kind === 'county-strategic' && (await Committee.exists({ kind: 'county-strategic', placeCode: place.code }).setOptions({ scope: 'system' }))) {
    throw new AppError('duplicate', 'errors.validation', 409, {}, { place: 'committees.countyCommitteeExists' });
  }
  try {
    const created = await Committee.create({
      kind: input.kind,
      name: input.name,
      placeCode: place.code,
      chair: input.chair ?? { name: actor.username },
      members,
      meetsMonthly: input.meetsMonthly,
      reportsTo: input.reportsTo ?? null,
      ...(input.reportsToText ? { reportsToText: input.reportsToText } : {}),
      createdBy: actor.username,
      ...placeFields(place),
    });
    return created.toObject() as unknown as CommitteeRecord;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('duplicate', 'errors.validation', 409, {}, { place: 'committees.countyCommitteeExists' });
    throw err;
  }
}

/** The committees at `place` and every place under it (the user's own place when none is given), optionally of one kind. */
export async function listCommittees(user: ScopeUser, filter: { place?: string; kind?: CommitteeKind } = {}): Promise<CommitteeListItem[]> {
  const place = await assertInScope(user, filter.place ?? user.placeCode);
  const committees = await Committee.find({ placePath: place.code, ...(filter.kind ? { kind: filter.kind } : {}) })
    .setOptions({ scope: user })
    .lean<CommitteeRecord[]>();
  const names = await placeNames(committees.map((c) => c.placeCode));
  return committees
    .map((c) => ({ id: String(c._id), kind: c.kind, name: c.name, place: c.placeCode, placeName: names.get(c.placeCode) ?? c.placeCode, meetsMonthly: c.meetsMonthly }))
    .sort((a, b) => a.place.length - b.place.length || comparePersian(a.placeName, b.placeName) || comparePersian(a.name, b.name));
}

/** Place code → name, for lists that show where each record sits. */
export async function placeNames(codes: readonly string[]): Promise<Map<string, string>> {
  const places = await Place.find({ code: { $in: [...new Set(codes)] } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  return new Map(places.map((p) => [p.code, p.name]));
}

async function placeFor(actor: QueryScope, code: string): Promise<PlaceRecord> {
  try {
    return await assertInScope(actor, code);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw validationFailed({ place: 'users.placeNotFound' });
    throw err;
  }
}
