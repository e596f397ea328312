import { z } from 'zod';
import { PLACE_LEVELS, type PlaceLevel } from '../../models/place.model.js';
import { toLatinDigits } from '../shared/persian-text.js';

/** A census code (`0207`) or a synthetic one (`0207C03`), typed in any digits. */
export const placeCode = z.preprocess(
  (value) => (typeof value === 'string' ? toLatinDigits(value.trim()).toUpperCase() : value),
  z.string().regex(/^\d{2}(?:\d{2}(?:[CD]\d{2}|\d{2}(?:\d{4}(?:\d{6})?)?)?)?$/, 'validation.placeCode'),
);

export const placeParams = { params: z.object({ code: placeCode }) };

export const placeSearch = { query: z.object({ q: z.string().trim().max(100).default('') }) };

export const placeList = {
  query: z
    .object({ parent: placeCode.optional(), q: z.string().trim().max(100).optional() })
    .refine((query) => query.parent !== undefined || query.q, { message: 'validation.required', path: ['parent'] }),
};

const blankToUndefined = (value: unknown) => (typeof value === 'string' && !value.trim() ? undefined : value);

/** A place picker's text (server/places/place-picker.ts): a name or a census code, as typed. */
export const placeText = z.preprocess(blankToUndefined, z.string().trim().max(200, 'validation.invalid').optional());

/** The place picked among those a name fits (the picker's `<name>Pick` radio buttons). */
export const placePicked = z.preprocess(blankToUndefined, placeCode.optional());

/** `GET /places/suggest?q=<name begun>&levels=<level,level>`: what a place picker's script offers as a name is typed. */
export const placeSuggest = {
  query: z.object({
    q: z.string().trim().max(100).default(''),
    levels: z.string().default('').transform((csv) => csv.split(',').filter((level): level is PlaceLevel => (PLACE_LEVELS as readonly string[]).includes(level))),
  }),
};
