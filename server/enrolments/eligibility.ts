import { compareJalali, jalaliMonthLength, type JalaliDate } from '../shared/jalali.js';

/**
 * Who may join the fund (DOMAIN.md, "Who may join"). The figures change over the years, so they
 * are campaign settings passed in as `rules`; the defaults are the rules reported today.
 */
export interface EligibilityRules {
  /** Youngest age at enrolment, in whole Jalali years, inclusive. */
  minAge: number;
  /** Oldest age at enrolment, inclusive: 50 means "until the day before the 51st birthday". */
  maxAge: number;
  /** Towns must have fewer people than this (strictly under: a town of exactly 20,000 is not "under 20,000"). */
  townThreshold: number;
}

export const DEFAULT_ELIGIBILITY_RULES: Readonly<EligibilityRules> = Object.freeze({ minAge: 18, maxAge: 50, townThreshold: 20_000 });

export type Residence = 'village' | 'nomadic' | 'town' | 'city';

export interface EligibilityApplicant {
  birthDate: JalaliDate;
  enrolmentDate: JalaliDate;
  residence: Residence;
  /** Population of the town, when residence is 'town' and the figure is known. */
  townPopulation?: number;
}

export const ELIGIBILITY_REASONS = [
  'eligibility.birthInFuture',
  'eligibility.tooYoung',
  'eligibility.tooOld',
  'eligibility.residence',
] as const;
export type EligibilityReason = (typeof ELIGIBILITY_REASONS)[number];

/** `params` carry the figures the i18n message interpolates ("age {age}, the minimum is {minAge}"). */
export type EligibilityResult =
  | { eligible: true; age: number }
  | { eligible: false; reason: EligibilityReason; params: Record<string, string | number | null> };

/**
 * Age in whole Jalali years on `day`: the number of birthdays (anniversaries of the birth date) that
 * have come by that day, the birthday itself counting.
 *
 * Decision for 30 Esfand births: in a common year Esfand has 29 days, so the birthday is taken as
 * 29 Esfand, the last day of the birth month, the same clamping `addJalaliMonths` uses and the way an
 * office counts "N years from 30 Esfand". (The alternative, 1 Farvardin, would make such a person
 * a day younger than everyone born in Esfand of that year; the last-day reading never does that.)
 */
export function ageOn(birth: JalaliDate, day: JalaliDate): number {
  const birthday = { year: day.year, month: birth.month, day: Math.min(birth.day, jalaliMonthLength(day.year, birth.month)) };
  const years = day.year - birth.year;
  return compareJalali(day, birthday) >= 0 ? years : years - 1;
}

/**
 * The public joining rules as a pure check. The first rule broken is reported, in the order a clerk
 * would ask: is the birth date plausible, is the age right, is the residence covered.
 */
export function checkEligibility(applicant: EligibilityApplicant, rules: Partial<EligibilityRules> = {}): EligibilityResult {
  const { minAge, maxAge, townThreshold } = { ...DEFAULT_ELIGIBILITY_RULES, ...rules };
  const { birthDate, enrolmentDate, residence, townPopulation } = applicant;

  if (compareJalali(birthDate, enrolmentDate) > 0) {
    return { eligible: false, reason: 'eligibility.birthInFuture', params: { birthDate: fmt(birthDate), enrolmentDate: fmt(enrolmentDate) } };
  }
  const age = ageOn(birthDate, enrolmentDate);
  if (age < minAge) return { eligible: false, reason: 'eligibility.tooYoung', params: { age, minAge } };
  if (age > maxAge) return { eligible: false, reason: 'eligibility.tooOld', params: { age, maxAge } };

  // Villages and nomadic areas are covered outright (their council or the nomad affairs organisation
  // confirms the residence). A 'town' is the caller's classification of a small town; when its population
  // is known it must also be under the threshold, so a campaign that raises or lowers the threshold
  // (the 2025 agreement used 50,000) is honoured without reclassifying places. A 'city' is never covered.
  const covered =
    residence === 'village' ||
    residence === 'nomadic' ||
    (residence === 'town' && (townPopulation === undefined || townPopulation < townThreshold));
  if (!covered) {
    return { eligible: false, reason: 'eligibility.residence', params: { residence, townPopulation: townPopulation ?? null, townThreshold } };
  }
  return { eligible: true, age };
}

function fmt(d: JalaliDate): string {
  return `${d.year}/${String(d.month).padStart(2, '0')}/${String(d.day).padStart(2, '0')}`;
}
