import { z } from 'zod';
import { toLatinDigits } from '../shared/persian-text.js';
import { placeCode, placePicked, placeText } from '../places/validation.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max, 'fieldProblems.tooLong').optional());
const topicCode = z.preprocess(blankToUndefined, z.string({ error: 'fieldProblems.topicRequired' }).trim().regex(/^[a-z][a-z0-9-]{1,39}$/, 'fieldProblems.unknownTopic'));

/** A count of people typed in any digits (forms) or sent as a number (API): a whole number, zero or more. */
const peopleCount = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(toLatinDigits(v.trim()).replace(/[,٬]/g, ''))) : v),
  z.number({ error: 'fieldProblems.affectedRequired' }).int('fieldProblems.affectedWhole').min(0, 'fieldProblems.affectedNegative').max(10_000_000, 'fieldProblems.affectedTooMany'),
);

export const idParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'validation.invalid') }) };

export const problemForm = {
  body: z.object({ topic: topicCode, otherText: optionalText(200), description: optionalText(2000), affected: peopleCount }),
};

export const sameHereForm = { params: idParams.params, body: z.object({ affected: peopleCount, description: optionalText(2000) }) };

export const problemListQuery = {
  query: z.object({
    topic: z.preprocess(blankToUndefined, z.string().regex(/^[a-z][a-z0-9-]{1,39}$/).optional()),
    place: z.preprocess(blankToUndefined, placeCode.optional()),
  }),
};

export const trendQuery = {
  query: z.object({
    place: z.preprocess(blankToUndefined, placeCode.optional()),
    month: z.preprocess(blankToUndefined, z.string().regex(/^\d{4}-\d{2}$/, 'validation.invalid').optional()),
  }),
};

export const topicForm = {
  body: z.object({
    code: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9-]{1,39}$/, 'fieldProblems.topicCodeInvalid'),
    nameFa: z.string().trim().min(1, 'validation.required').max(200),
    nameEn: z.string().trim().min(1, 'validation.required').max(200),
    fromOther: z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().regex(/^[0-9a-f]{24}$/i))),
  }),
};

/** The pages' filters: the place typed by name or code (server/places/place-picker.ts), `placePick` the one picked. */
export const problemListPageQuery = { query: problemListQuery.query.extend({ place: placeText, placePick: placePicked }) };
export const trendPageQuery = { query: trendQuery.query.extend({ place: placeText, placePick: placePicked }) };
