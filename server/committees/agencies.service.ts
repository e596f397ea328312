import { Agency, type AgencyRecord } from '../../models/agency.model.js';
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

/**
 * The built-in register: the agencies of seed 002, named as the catalogue names them. Run at start-up; an agency
 * that is already there keeps whatever the governor's office changed, so this only ever adds what is missing.
 */
export async function ensureAgencyRegister(): Promise<number> {
  let added = 0;
  for (const code of AGENCIES) {
    const result = await Agency.updateOne(
      { code },
      { $setOnInsert: { code, nameFa: t('fa', `users.agency.${code}`), nameEn: t('en', `users.agency.${code}`), active: true, changedBy: null } },
      { upsert: true },
    );
    added += result.upsertedCount;
  }
  return added;
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

/** Every agency of the register, in Persian (or English) alphabetical order. */
export async function listAgencies(lang: Lang, options: { includeInactive?: boolean } = {}): Promise<AgencyView[]> {
  const agencies = await Agency.find(options.includeInactive ? {} : { active: true }).lean<AgencyRecord[]>();
  return agencies.map((a) => toAgencyView(a, lang)).sort((a, b) => comparePersian(a.name, b.name));
}

/** code → name in `lang`, for pages that show many agencies. */
export async function agencyNames(lang: Lang): Promise<Map<string, string>> {
  return new Map((await listAgencies(lang, { includeInactive: true })).map((a) => [a.code, a.name]));
}

export async function getAgency(code: string, lang: Lang): Promise<AgencyView> {
  const agency = await Agency.findOne({ code }).lean<AgencyRecord>();
  if (!agency) throw notFound();
  return toAgencyView(agency, lang);
}

/** Refuses a code the register does not know (or has retired), naming the field it came from. */
export async function requireAgencies(codes: readonly string[], field: string): Promise<AgencyRecord[]> {
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return [];
  const found = await Agency.find({ code: { $in: wanted }, active: true }).lean<AgencyRecord[]>();
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

/** The governor's office adds an agency to the register ("and others added by the governor's office"). */
export async function addAgency(actor: AuthUser, input: AgencyInput): Promise<AgencyView> {
  if (actor.role !== 'governor-office') throw forbidden();
  if (await Agency.exists({ code: input.code })) throw new AppError('duplicate', 'errors.validation', 409, {}, { code: 'committees.agencyCodeTaken' });
  try {
    const created = await Agency.create({ ...input, active: input.active ?? true, changedBy: actor.username });
    return toAgencyView(created.toObject() as AgencyRecord, actor.lang);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new AppError('duplicate', 'errors.validation', 409, {}, { code: 'committees.agencyCodeTaken' });
    throw err;
  }
}

/** The governor's office renames an agency, sets its mailbox, or retires it (its past commitments stay). */
export async function changeAgency(actor: AuthUser, code: string, input: Omit<AgencyInput, 'code'>): Promise<AgencyView> {
  if (actor.role !== 'governor-office') throw forbidden();
  const updated = await Agency.findOneAndUpdate(
    { code },
    { $set: { nameFa: input.nameFa, nameEn: input.nameEn, email: input.email ?? null, active: input.active ?? true, changedBy: actor.username } },
    { returnDocument: 'after' },
  ).lean<AgencyRecord>();
  if (!updated) throw notFound();
  return toAgencyView(updated, actor.lang);
}
