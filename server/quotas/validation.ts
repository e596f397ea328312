import { z } from 'zod';
import { placeCode, placePicked, placeText } from '../places/validation.js';
import { wholeNumber } from '../shared/input.js';
import { parseJalaliMonthKey } from '../shared/jalali.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { ALLOCATION_BASES, ALLOCATION_LEVELS } from './quotas.service.js';

const MAX_TARGET = 100_000_000;
const target = wholeNumber(0, MAX_TARGET, 'quotas.targetInvalid');
const milestone = z.object({
  month: z.string().refine((m) => parseJalaliMonthKey(m) !== null, 'quotas.milestonesInvalid').transform((m) => {
    const { year, month } = parseJalaliMonthKey(m)!;
    return `${year}-${String(month).padStart(2, '0')}`;
  }),
  cumulativeTarget: target,
});

/**
 * Milestones typed on the page, one per line: `1403-05 120` (Jalali month, cumulative target), any digits.
 * Blank means none.
 */
const milestoneLines = z.preprocess((value) => {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return toLatinDigits(value)
    .split(/[\r\n،,]+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [month = '', count = ''] = line.split(/[\s:=]+/);
      return { month, cumulativeTarget: count };
    });
}, z.array(milestone, 'quotas.milestonesInvalid').optional());

export const campaignParams = { params: z.object({ id: z.string() }) };
export const quotaParams = { params: z.object({ id: z.string(), code: placeCode }) };

export const quotaForm = {
  params: quotaParams.params,
  body: z.object({ target, milestones: milestoneLines, reason: z.string().trim().max(500).default('') }),
};

/** `PUT /api/v1/campaigns/<id>/quotas/<placeCode> { target, milestones?, reason? }` */
export const quotaRequest = {
  params: quotaParams.params,
  body: z.object({ target, milestones: z.array(milestone, 'quotas.milestonesInvalid').optional(), reason: z.string().trim().max(500).default('') }),
};

const allocationFields = {
  level: z.enum(ALLOCATION_LEVELS, 'quotas.levelInvalid'),
  total: wholeNumber(0, MAX_TARGET, 'quotas.totalInvalid'),
  basis: z.enum(ALLOCATION_BASES, 'quotas.basisInvalid'),
  parent: z.preprocess((v) => (v === '' ? undefined : v), placeCode.optional()),
};

/** `POST /api/v1/campaigns/<id>/allocations { level, total, basis, parent? }`: a proposal, nothing saved. */
export const allocationRequest = { params: campaignParams.params, body: z.object(allocationFields) };

/** The allocation page: the same question asked by a GET form, so the proposal can be bookmarked and edited. */
export const allocationQuery = { params: campaignParams.params, query: z.object({ ...allocationFields, parent: placeText, parentPick: placePicked }).partial() };

/**
 * The edited proposal, saved: one field `t.<placeCode>` per holder. A bad figure is named by its own field,
 * so the page shows the problem beside that row.
 */
export const allocationSave = {
  params: campaignParams.params,
  body: z
    .record(z.string(), z.unknown())
    .transform((body, ctx) => {
      const entries: { placeCode: string; target: number }[] = [];
      for (const [field, value] of Object.entries(body)) {
        if (!field.startsWith('t.')) continue;
        const code = placeCode.safeParse(field.slice(2));
        const parsed = target.safeParse(value);
        if (!code.success || !parsed.success) {
          ctx.addIssue({ code: 'custom', path: [field], message: 'quotas.targetInvalid' });
          continue;
        }
        entries.push({ placeCode: code.data, target: parsed.data });
      }
      if (entries.length === 0) ctx.addIssue({ code: 'custom', path: ['total'], message: 'quotas.noPlacesToAllocate' });
      return { entries, reason: typeof body.reason === 'string' ? body.reason.trim().slice(0, 500) : '' };
    }),
};

export const progressQuery = {
  params: campaignParams.params,
  query: z.object({ place: z.preprocess((v) => (v === '' ? undefined : v), placeCode.optional()), behind: z.enum(['1']).optional() }),
};

export const exportParams = {
  params: z.object({ id: z.string(), table: z.enum(['places', 'towns']), format: z.enum(['csv', 'xlsx']) }),
  query: progressQuery.query,
};

/** The dashboard page: its place a name or a code (server/places/place-picker.ts), `placePick` the one picked. */
export const dashboardQuery = { params: campaignParams.params, query: progressQuery.query.extend({ place: placeText, placePick: placePicked }) };

/** `GET /campaigns/<id>/quotas?place=<name or code>`: the quota of the place found. */
export const quotaFinder = { params: campaignParams.params, query: z.object({ place: placeText, placePick: placePicked }) };
