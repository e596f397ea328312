import { Agency, type AgencyRecord } from '../../models/agency.model.js';
import { Place } from '../../models/place.model.js';
import type { AuthUser } from '../auth/scope.js';
import { AppError, forbidden, notFound, validationFailed } from '../errors/app-error.js';
import { t, type Lang } from '../i18n/index.js';
import { comparePersian } from '../shared/persian-text.js';
import { AGENCIES } from '../users/agencies.js';

export interface AgencyView {
  code: string;
  name: string;
  nameFa: string;
  nameEn: string;
  email?: string;
  active: boolean;
}

/** The provinces that keep an agency register: every province whose places are loaded. */
async function provincesWithPlaces(): Promise<string[]> {
  return ((await Place.distinct('province', { level: 'province' }).setOptions({ scope: 'system' })) as string[]).sort();
}

/**
 * The built-in register of each province (directorates-general are provincial): the agencies of seed 002, named as
 * the catalogue names them, for `provinces` (by default every province whose places are loaded). Run at start-up;
 * an agency that is already there keeps whatever its governor's office changed, so this only adds what is missing.
 */
export async function ensureAgencyRegister(provinces?: readonly string[]): Promise<number> {
  const wanted = provinces ?? (await provincesWithPlaces());
  if (wanted.length === 0) return 0;
  const result = await Agency.bulkWrite(
    wanted.flatMap((province) =>
      AGENCIES.map((code) => ({
        updateOne: {
          filter: { province, code },
          update: { $setOnInsert: { province, code, nameFa: t('fa', `users.agency.${code}`), nameEn: t('en', `users.agency.${code}`), active: true, changedBy: null } },
          upsert: true,
        },
      })),
    ),
    { ordered: false },
  );
  return result.upsertedCount;
}

/**
 * The start-up migration from the one register of an installation to one per province: each agency written before
 * registers had a province is copied (as it was: name, mailbox, active) into every province that keeps a register or
 * has a resolution, user or committee naming it, and then removed, with the old installation-wide unique index on
 * `code`. Idempotent: a second run finds nothing to move. Resolutions, committees and agency officers name an agency
 * by code within their own province, so each keeps pointing at its province's copy.
 */
export async function migrateAgencyRegister(): Promise<number> {
  const indexes = await Agency.collection.indexes();
  if (indexes.some((index) => index.name === 'code_1')) await Agency.collection.dropIndex('code_1');
  const legacy = await Agency.find({ province: { $exists: false } }).lean<AgencyRecord[]>();
  if (legacy.length === 0) return 0;
  const db = Agency.db;
  const named = await Promise.all(['resolutions', 'users', 'committees'].map((name) => db.collection(name).distinct('province')));
  const provinces = [...new Set([...(await provincesWithPlaces()), ...named.flat().filter((p): p is string => typeof p === 'string')])];
  let copied = 0;
  for (const agency of legacy) {
    const { _id, createdAt, updatedAt, ...fields } = agency;
    const result = await Agency.bulkWrite(
      provinces.map((province) => ({ updateOne: { filter: { province, code: agency.code }, update: { $setOnInsert: { ...fields, province } }, upsert: true } })),
      { ordered: false },
    );
    copied += result.upsertedCount;
    await Agency.deleteOne({ _id });
  }
  return copied;
}

export function toAgencyView(agency: AgencyRecord, lang: Lang): AgencyView {
  return {
    code: agency.code,
    name: lang === 'en' ? agency.nameEn : agency.nameFa,
    nameFa: agency.nameFa,
    nameEn: agency.nameEn,
    ...(agency.email ? { email: agency.email } : {}),
    active: agency.active,
  };
}

/** Every agency of `province`'s register, in Persian (or English) alphabetical order. */
export async function listAgencies(province: string, lang: Lang, options: { includeInactive?: boolean } = {}): Promise<AgencyView[]> {
  const agencies = await Agency.find({ province, ...(options.includeInactive ? {} : { active: true }) }).lean<AgencyRecord[]>();
  return agencies.map((a) => toAgencyView(a, lang)).sort((a, b) => comparePersian(a.name, b.name));
}

/** code → name in `lang`, for pages that show many agencies. */
export async function agencyNames(province: string, lang: Lang): Promise<Map<string, string>> {
  return new Map((await listAgencies(province, lang, { includeInactive: true })).map((a) => [a.code, a.name]));
}

/** One agency of `province`'s register; another province's (or an unknown) code answers 404. */
export async function getAgency(province: string, code: string, lang: Lang): Promise<AgencyView> {
  const agency = await Agency.findOne({ province, code }).lean<AgencyRecord>();
  if (!agency) throw notFound();
  return toAgencyView(agency, lang);
}

/** Refuses a code `province`'s register does not know (or has retired), naming the field it came from. */
export async function requireAgencies(province: string, codes: readonly string[], field: string): Promise<AgencyRecord[]> {
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return [];
  const found = await Agency.find({ province, code: { $in: wanted }, active: true }).lean<AgencyRecord[]>();
  if (found.length !== wanted.length) throw validationFailed({ [field]: 'committees.unknownAgency' });
  return found;
}

export interface AgencyInput {
  code: string;
  nameFa: string;
  nameEn: string;
  email?: string;
  active?: boolean;
}

/** The governor's office adds an agency to its province's register ("and others added by the governor's office"). */
export async function addAgency(actor: AuthUser, input: AgencyInput): Promise<AgencyView> {
  if (actor.role !== 'governor-office') throw forbidden();
  if (await Agency.exists({ province: actor.province, code: input.code })) throw new AppError('duplicate', 'errors.validation', 409, {}, { code: 'committees.agencyCodeTaken' });
  try {
    const created = await Agency.create({ ...input, province: actor.province, active: input.active ?? true, changedBy: actor.username });
    return toAgencyView(created.toObject() as AgencyRecord, actor.lang);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('duplicate', 'errors.validation', 409, {}, { code: 'committees.agencyCodeTaken' });
    throw err;
  }
}

/**
 * The governor's office renames an agency of its province, sets its mailbox, or retires it (its past commitments
 * stay); another province's agency answers 404, like one that does not exist.
 */
export async function changeAgency(actor: AuthUser, code: string, input: Omit<AgencyInput, 'code'>): Promise<AgencyView> {
  if (actor.role !== 'governor-office') throw forbidden();
  const updated = await Agency.findOneAndUpdate(
    { province: actor.province, code },
    { $set: { nameFa: input.nameFa, nameEn: input.nameEn, email: input.email ?? null, active: input.active ?? true, changedBy: actor.username } },
    { returnDocument: 'after' },
  ).lean<AgencyRecord>();
  if (!updated) throw notFound();
  return toAgencyView(updated, actor.lang);
}
