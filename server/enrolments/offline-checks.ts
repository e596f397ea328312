import { compareJalali, parseJalaliDate, type JalaliDate } from '../shared/jalali.js';
import { checkEligibility, type Residence } from './eligibility.js';
import { inPersonReasonProblem } from './in-person-reason.js';
import { validateMobile } from './mobile.js';
import { validateNationalId } from './national-id.js';

/**
 * The checks of an enrolment that need no server, as the phone runs them before it queues one
 * (public/offline/ bundles this file with the rules it imports). They are the server's own rules
 * (national-id.ts, mobile.ts, jalali.ts, eligibility.ts) with the field → message mapping of
 * validation.ts and enrolments.service.ts, so the phone refuses what the server would refuse, in the same words
 * (test/server/enrolments/offline-checks.test.ts holds the two side by side). What needs the server (the place
 * of a typed village code, a national ID already enrolled) is left to the server.
 */

/** What the form page carries of the campaign and the place, cached with it. */
export interface OfflineContext {
  campaign?: { minAge: number; maxAge: number; townThreshold: number; targetGroups: string[] };
  /** The user's own village or town, when the form enrols there; unknown when a village code is typed. */
  place?: { level: string; population?: number | null };
  today: JalaliDate;
}

/** A refusal as the API gives it: the message key with its figures, and a message key beside each field. */
export interface OfflineProblem {
  messageKey: string;
  params: Record<string, string | number>;
  fields: Record<string, string>;
}

const REQUIRED_CHOICES = ['sex', 'targetGroup', 'channel'] as const;

export function checkBeforeQueueing(raw: Record<string, string | undefined>, context: OfflineContext): OfflineProblem | null {
  const text = (name: string) => (raw[name] ?? '').trim();
  const fields: Record<string, string> = {};

  // exactly ten digits, as on the form and the API (validation.ts): only file rows get dropped leading zeros back
  const nationalId = validateNationalId(text('nationalId'));
  if (!nationalId.ok) fields.nationalId = nationalId.reason;
  for (const name of ['firstName', 'lastName']) {
    if (!text(name)) fields[name] = 'validation.required';
    else if (text(name).length > 100) fields[name] = 'enrolments.nameTooLong';
  }
  const birthDate = text('birthDate') ? parseJalaliDate(text('birthDate')) : null;
  if (!birthDate) fields.birthDate = text('birthDate') ? 'enrolments.birthDateFormat' : 'validation.required';
  // with the other field problems, as validation.ts says it, not as an eligibility refusal
  else if (compareJalali(birthDate, context.today) > 0) fields.birthDate = 'enrolments.field.birthInFuture';
  for (const name of REQUIRED_CHOICES) if (!text(name)) fields[name] = 'validation.required';
  // the form's choices are codes; a code that is no reason is left to the server, which names it
  const reasonProblem = inPersonReasonProblem(text('channel'), text('inPersonReason') || undefined);
  if (reasonProblem) fields.inPersonReason = reasonProblem;
  const mobile = validateMobile(text('mobile'));
  if (!mobile.ok) fields.mobile = text('mobile') ? mobile.reason : 'validation.required';
  if (Object.keys(fields).length > 0 || !birthDate) return { messageKey: 'errors.validation', params: {}, fields };

  const { campaign, place } = context;
  if (!campaign) return null;
  if (!campaign.targetGroups.includes(text('targetGroup'))) return { messageKey: 'errors.validation', params: {}, fields: { targetGroup: 'enrolments.targetGroupNotInCampaign' } };
  // residence is known only at the user's own place; elsewhere only the age is checked here
  const residence: Residence = text('targetGroup') === 'nomads' || !place ? (place ? 'nomadic' : 'village') : place.level === 'village' ? 'village' : 'town';
  const result = checkEligibility(
    { birthDate, enrolmentDate: context.today, residence, ...(place?.population != null ? { townPopulation: place.population } : {}) },
    { minAge: campaign.minAge, maxAge: campaign.maxAge, townThreshold: campaign.townThreshold },
  );
  if (result.eligible) return null;
  const field = result.reason === 'eligibility.residence' ? 'village' : 'birthDate';
  const params = Object.fromEntries(Object.entries(result.params).filter(([, v]) => v !== null)) as Record<string, string | number>;
  return { messageKey: result.reason, params, fields: { [field]: `enrolments.field.${result.reason.split('.')[1]}` } };
}
