import mongoose from 'mongoose';
import { z } from 'zod';
import { TARGET_GROUPS, type TargetGroup } from '../../models/campaign.model.js';
import { CHANNELS, IN_PERSON_REASONS, type InPersonReason, SEXES, type Channel, type Sex } from '../../models/enrolment.model.js';
import { AppError } from '../errors/app-error.js';
import { t } from '../i18n/index.js';
import { placeCode } from '../places/validation.js';
import { compareJalali, formatJalaliDate, parseJalaliDate, toJalali, type JalaliDate } from '../shared/jalali.js';
import { optionalWholeNumber } from '../shared/input.js';
import { searchKey } from '../shared/persian-text.js';
import { AGENCIES, type Agency } from '../users/agencies.js';
import { inPersonReasonProblem } from './in-person-reason.js';
import { validateMobile } from './mobile.js';
import { normaliseNationalId, validateNationalId } from './national-id.js';

/** An enrolment as a form, an API call or a row of a file gives it, every field checked and made canonical. */
export interface EnrolmentInput {
  campaign?: string;
  /** The village or town code; absent means the user's own place. */
  village?: string;
  nationalId: string;
  firstName: string;
  lastName: string;
  birthDate: JalaliDate;
  sex: Sex;
  mobile: string;
  targetGroup: TargetGroup;
  channel: Channel;
  inPersonReason?: InPersonReason;
  referringAgency?: Agency;
}

/** The fields of an enrolment, in the order of the form, the API and the columns of an import file. */
export const ENROLMENT_FIELDS = ['nationalId', 'firstName', 'lastName', 'birthDate', 'sex', 'mobile', 'targetGroup', 'channel', 'village', 'referringAgency', 'inPersonReason'] as const;
export type EnrolmentField = (typeof ENROLMENT_FIELDS)[number] | 'campaign';

/** `zerosRestored`: the national ID had lost its leading zeros in a spreadsheet and got them back (file rows only). */
export type ReadResult = { ok: true; input: EnrolmentInput; zerosRestored: boolean } | { ok: false; fields: Partial<Record<EnrolmentField, string>> };

/**
 * Reads and checks every field at once, so a form or a file row lists all of its problems, each as a catalogue
 * key beside its field. National IDs, mobiles and birth dates may be typed in Persian or Latin digits; sex, target
 * group, channel and agency may be given by their code or by their Persian or English name (files typed by hand).
 */
export function readEnrolmentInput(raw: Record<string, unknown>, options: { fromFile?: boolean } = {}): ReadResult {
  const text = (name: string) => (typeof raw[name] === 'string' || typeof raw[name] === 'number' ? String(raw[name]).trim() : '');
  const fields: Partial<Record<EnrolmentField, string>> = {};

  // a national ID is exactly ten digits on the form and the API; only a file row may get back the zeros a spreadsheet dropped
  const typedId = normaliseNationalId(text('nationalId'));
  const zerosRestored = Boolean(options.fromFile) && LOST_ZEROS.test(typedId);
  const nationalId = validateNationalId(zerosRestored ? typedId.padStart(10, '0') : typedId);
  if (!nationalId.ok) fields.nationalId = nationalId.reason;

  const firstName = text('firstName');
  const lastName = text('lastName');
  for (const [field, value] of [['firstName', firstName], ['lastName', lastName]] as const) {
    if (!value) fields[field] = 'validation.required';
    else if (value.length > 100) fields[field] = 'enrolments.nameTooLong';
  }

  const birthDate = text('birthDate') ? parseJalaliDate(text('birthDate')) : null;
  if (!birthDate) fields.birthDate = text('birthDate') ? 'enrolments.birthDateFormat' : 'validation.required';
  // said with the other field problems, not after them (the campaign's age rules come later, with the campaign)
  else if (compareJalali(birthDate, toJalali(new Date())) > 0) fields.birthDate = 'enrolments.field.birthInFuture';

  const sex = choice(text('sex'), SEXES, 'enrolments.sex.');
  if (!sex) fields.sex = text('sex') ? 'enrolments.sexInvalid' : 'validation.required';

  const mobile = validateMobile(text('mobile'));
  if (!mobile.ok) fields.mobile = text('mobile') ? mobile.reason : 'validation.required';

  const targetGroup = choice(text('targetGroup'), TARGET_GROUPS, 'enrolments.targetGroup.');
  if (!targetGroup) fields.targetGroup = text('targetGroup') ? 'enrolments.targetGroupInvalid' : 'validation.required';

  const channel = choice(text('channel'), CHANNELS, 'enrolments.channel.');
  if (!channel) fields.channel = text('channel') ? 'enrolments.channelInvalid' : 'validation.required';
  // why in person (seed 004: electronic first, in person for disability or on request); never for an online one
  // a file row may leave it out: spreadsheets kept before the rule have no such column (counted as "not recorded")
  const inPersonReason = text('inPersonReason') ? choice(text('inPersonReason'), IN_PERSON_REASONS, 'enrolments.inPersonReason.') : undefined;
  const reasonProblem = inPersonReasonProblem(channel, inPersonReason, { optional: options.fromFile });
  if (reasonProblem) fields.inPersonReason = reasonProblem;

  const referringAgency = text('referringAgency') ? choice(text('referringAgency'), AGENCIES, 'users.agency.') : undefined;
  if (referringAgency === null) fields.referringAgency = 'enrolments.agencyInvalid';

  const village = text('village') ? placeCode.safeParse(text('village')) : undefined;
  if (village && !village.success) fields.village = 'validation.placeCode';

  const campaign = text('campaign');
  if (campaign && !mongoose.isValidObjectId(campaign)) fields.campaign = 'enrolments.campaignNotFound';

  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return {
    ok: true,
    input: {
      ...(campaign ? { campaign } : {}),
      ...(village?.success ? { village: village.data } : {}),
      nationalId: (nationalId as { value: string }).value,
      firstName,
      lastName,
      birthDate: birthDate!,
      sex: sex!,
      mobile: (mobile as { value: string }).value,
      targetGroup: targetGroup!,
      channel: channel!,
      ...(inPersonReason ? { inPersonReason } : {}),
      ...(referringAgency ? { referringAgency } : {}),
    },
    zerosRestored,
  };
}

/** 422 with every problem beside its field: what the API answers and the form shows. */
export function invalidEnrolment(fields: Partial<Record<EnrolmentField, string>>): AppError {
  return new AppError('validation', 'errors.validation', 422, {}, fields as Record<string, string>);
}

export function canonicalBirthDate(date: JalaliDate): string {
  return formatJalaliDate(date);
}

/**
 * Excel turns a national ID typed as a number into one without its leading zeros (0499370899 → 499370899): in a
 * file, 8 or 9 digits are padded back (the check digit then decides) and the import report says so for the row.
 */
const LOST_ZEROS = /^\d{8,9}$/;

/** A code from `codes`, given as itself or as its name in either language (`زن`, `Female`, `female`). */
function choice<T extends string>(value: string, codes: readonly T[], namePrefix: string): T | null {
  const key = searchKey(value);
  if (!key) return null;
  return (spellingsOf(codes, namePrefix).get(key) as T | undefined) ?? null;
}

/** Per list of codes and catalogue prefix: each accepted spelling's search key → its code. */
const spellings = new WeakMap<readonly string[], Map<string, Map<string, string>>>();

/**
 * The search keys of a list's codes and of their names in both languages, made once (the catalogue does not change
 * while running) instead of three normalisations per code on every field of every enrolment. A spelling two codes
 * share belongs to the first, as when the codes were tried in turn.
 */
function spellingsOf(codes: readonly string[], namePrefix: string): Map<string, string> {
  let byPrefix = spellings.get(codes);
  if (!byPrefix) spellings.set(codes, (byPrefix = new Map()));
  let keys = byPrefix.get(namePrefix);
  if (!keys) {
    keys = new Map();
    for (const code of codes) {
      for (const spelling of [code, t('fa', namePrefix + code), t('en', namePrefix + code)]) {
        const key = searchKey(spelling);
        if (key && !keys.has(key)) keys.set(key, code);
      }
    }
    byPrefix.set(namePrefix, keys);
  }
  return keys;
}

const objectId = z.string().refine((id) => mongoose.isValidObjectId(id), 'validation.invalid');

export const enrolmentParams = { params: z.object({ id: objectId }) };

export const rejectForm = {
  params: z.object({ id: objectId }),
  body: z.object({ reason: z.string().trim().min(3, 'enrolments.rejectionReasonRequired').max(500) }),
};

export const verificationList = {
  query: z.object({ status: z.enum(['logged', 'verified', 'rejected']).default('logged'), page: optionalWholeNumber(1, 10_000).default(1) }),
};

export const importParams = { params: z.object({ id: objectId }) };
