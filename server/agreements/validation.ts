import { z } from 'zod';
import { AGREEMENT_LEVELS } from '../../models/agreement.model.js';
import { deadline, formNumber, jalaliDate } from '../committees/validation.js';
import { toLatinDigits } from '../shared/persian-text.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());
const requiredText = (max: number) => z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(max);
const agencyCode = z.string({ error: 'validation.required' }).trim().regex(/^[a-z][a-z0-9-]{1,39}$/, 'committees.unknownAgency');
const topicCode = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'fieldProblems.unknownTopic');
const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'validation.invalid');
const axisCode = z.preprocess(blankToUndefined, z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'agreements.unknownAxis').optional());
/** A form's multi-select or repeated checkbox arrives as one string or many. */
const listOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v]), z.array(item));
/** One per line or comma-separated (parties, usernames). */
const lines = z.preprocess((v) => (typeof v === 'string' ? v.split(/[\n,،]/).map((s) => s.trim()).filter(Boolean) : v), z.array(z.string().trim().min(1).max(300)).max(20));
const positive = z.preprocess((v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(toLatinDigits(v.trim()))) : v), z.number().int().min(1, 'agreements.positive').optional());

export const idParams = { params: z.object({ id: objectId }) };
/** The agreement page, optionally opened from a field problem to propose a clause from it. */
export const agreementPage = { params: idParams.params, query: z.object({ problem: z.preprocess(blankToUndefined, objectId.optional()) }) };
export const axisParams = { params: z.object({ code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'validation.invalid') }) };

const agreementBody = z.object({
  title: requiredText(500),
  parties: lines.refine((p) => p.length >= 2, 'agreements.twoParties'),
  signedOn: jalaliDate,
  level: z.enum(AGREEMENT_LEVELS, 'validation.invalid'),
  groupSize: positive,
  smallTownThreshold: positive,
});
export const agreementForm = { body: agreementBody };
export const agreementApi = { body: agreementBody };

export const volunteersForm = { params: idParams.params, body: z.object({ volunteers: lines }) };

/** The deadline as the resolution form sends it: a type and the fields of that type. */
const deadlineFormFields = {
  deadlineType: z.enum(['date', 'within', 'monthly'], 'committees.deadline.invalid'),
  deadlineDate: z.preprocess(blankToUndefined, jalaliDate.optional()),
  withinMonths: formNumber,
  withinDays: formNumber,
  until: z.preprocess(blankToUndefined, jalaliDate.optional()),
};

function deadlineFromForm<T extends { deadlineType: 'date' | 'within' | 'monthly'; deadlineDate?: { year: number; month: number; day: number }; withinMonths?: number; withinDays?: number; until?: { year: number; month: number; day: number } }>(
  { deadlineType, deadlineDate, withinMonths, withinDays, until, ...rest }: T,
  ctx: z.RefinementCtx,
) {
  if (deadlineType === 'date' && !deadlineDate) {
    ctx.addIssue({ code: 'custom', path: ['deadlineDate'], message: 'validation.required' });
    return z.NEVER;
  }
  const spec =
    deadlineType === 'date'
      ? { type: 'date' as const, date: deadlineDate! }
      : deadlineType === 'within'
        ? { type: 'within' as const, ...(withinMonths ? { months: withinMonths } : {}), ...(withinDays ? { days: withinDays } : {}) }
        : { type: 'monthly' as const, ...(until ? { until } : {}) };
  return { ...rest, deadline: spec };
}

const clauseCommon = { text: requiredText(5000), agency: agencyCode, policyAxis: axisCode };

export const clauseForm = {
  params: idParams.params,
  body: z.object({ ...clauseCommon, topics: listOf(topicCode), reason: optionalText(1000), ...deadlineFormFields }).transform(deadlineFromForm),
};
export const clauseApi = {
  params: idParams.params,
  body: z.object({ ...clauseCommon, collaborators: z.array(agencyCode).max(20).optional(), topics: z.array(topicCode).max(10).optional(), reason: optionalText(1000), deadline, communicatedOn: jalaliDate.optional() }),
};

export const proposalForm = {
  params: idParams.params,
  body: z.object({ ...clauseCommon, topics: listOf(topicCode), problems: listOf(objectId), ...deadlineFormFields }).transform(deadlineFromForm),
};
export const proposalApi = {
  params: idParams.params,
  body: z.object({ ...clauseCommon, topics: z.array(topicCode).max(10).optional(), problems: z.array(objectId).max(50).optional(), deadline }),
};

export const decisionForm = { params: idParams.params, body: z.object({ decision: z.enum(['adopt', 'decline'], 'validation.invalid'), reason: optionalText(1000) }) };

export const axisForm = { body: z.object({ secretariat: objectId, name: requiredText(200) }) };
